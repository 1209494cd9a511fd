import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../errors.ts';
import { splitBundle } from './splitBundle.ts';

const transaction = {
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    {
      fullUrl: 'urn:uuid:p',
      resource: { resourceType: 'Patient', id: 'p' },
      request: { method: 'POST', url: 'Patient' },
    },
    {
      fullUrl: 'urn:uuid:e',
      resource: {
        resourceType: 'Encounter',
        id: 'e',
        status: 'finished',
        class: { code: 'AMB' },
        subject: { reference: 'urn:uuid:p' },
      },
    },
    {
      fullUrl: 'urn:uuid:o',
      resource: {
        resourceType: 'Observation',
        id: 'o',
        status: 'final',
        code: { text: 'Heart rate' },
        category: [{ coding: [{ code: 'vital-signs' }] }],
        subject: { reference: 'urn:uuid:p' },
        encounter: { reference: 'urn:uuid:e' },
      },
    },
    { fullUrl: 'urn:uuid:c', resource: { resourceType: 'CarePlan', id: 'c' } },
    { fullUrl: 'urn:uuid:x', resource: { resourceType: 'Condition', id: 'x' } },
    { fullUrl: 'urn:uuid:empty' },
  ],
};

describe('splitBundle', () => {
  it('splits entries into records and says why others are skipped', () => {
    const { records, skipped } = splitBundle(transaction, { patientRef: 'Patient/123' });
    assert.deepEqual(
      records.map(({ index, category, resource }) => [index, category, resource.resourceType]),
      [
        [1, 'encounter', 'Encounter'],
        [2, 'vitals', 'Observation'],
      ],
    );
    assert.deepEqual(records[1]!.resource.subject, { reference: 'Patient/123' });
    assert.deepEqual(records[1]!.resource.encounter, { reference: 'Encounter/e' });
    assert.deepEqual(
      skipped.map(({ index, resourceType }) => [index, resourceType]),
      [
        [0, 'Patient'],
        [3, 'CarePlan'],
        [4, 'Condition'],
        [5, 'unknown'],
      ],
    );
    assert.match(skipped[0]!.reason, /administrative/);
    assert.match(skipped[1]!.reason, /^invalid for category careplan: CarePlan\.status: missing/);
    assert.match(skipped[2]!.reason, /^invalid for category condition: Condition\.subject: missing/);
    assert.match(skipped[3]!.reason, /no resource/);
  });

  it('leaves the bundle untouched and defaults patient references to Patient/<id>', () => {
    const before = structuredClone(transaction);
    const { records } = splitBundle(transaction);
    assert.deepEqual(transaction, before);
    assert.deepEqual(records[0]!.resource.subject, { reference: 'Patient/p' });
  });

  it('refuses what is not a Bundle', () => {
    assert.throws(() => splitBundle({ resourceType: 'Observation' }), InvalidInputError);
    assert.throws(() => splitBundle({ resourceType: 'Bundle', type: 'collection' }), /Bundle.entry/);
    assert.throws(() => splitBundle(null), InvalidInputError);
  });
});
