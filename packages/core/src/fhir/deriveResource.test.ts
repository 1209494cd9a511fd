/** The new resource of a copy, duplicate or move: same content, a new id, its origin noted, and for a move the right patient. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../errors.ts';
import { buildDiagnosis, buildLabResult } from './buildResources.ts';
import {
  derivationExtensionUrl,
  derivationOfResource,
  derivationTagSystem,
  deriveResource,
} from './deriveResource.ts';
import { ledgerSystems } from './ledgerResources.ts';
import { validateResource } from './validateResource.ts';

const wrong = `0x${'ab'.repeat(20)}`;
const right = `0x${'cd'.repeat(20)}`;
const sourceRecordId = `0x${'12'.repeat(32)}`;

const lab = buildLabResult({
  patient: wrong,
  test: 'HbA1c',
  loincCode: '4548-4',
  value: 6.1,
  unit: '%',
  performer: 'City Lab',
});

describe('deriveResource', () => {
  for (const kind of ['copy', 'duplicate'] as const) {
    it(`${kind}: same content under a new id, the source and the action noted, still valid for its category`, () => {
      const source: Record<string, unknown> = {
        ...lab,
        meta: { versionId: '3', lastUpdated: '2026-01-01T00:00:00Z', profile: ['p'] },
      };
      const derived = deriveResource({ resource: source, kind, sourceRecordId });
      assert.notEqual(derived.id, source.id);
      assert.deepEqual(derived.code, source.code);
      assert.deepEqual(derived.subject, source.subject);
      assert.deepEqual(derived.valueQuantity, source.valueQuantity);
      assert.deepEqual(derived.meta, { profile: ['p'], tag: [{ system: derivationTagSystem, code: kind }] });
      assert.deepEqual(derivationOfResource(derived), { kind, sourceRecordId });
      validateResource(derived, 'lab');
      assert.equal(source.id, lab.id, 'the source is left as it was');
    });
  }

  it('move: every reference to the wrong patient names the right one, and the new record replaces the source', () => {
    const source = { ...lab, performer: [{ reference: `Patient/${wrong}` }], note: [{ text: wrong }] };
    const moved = deriveResource({
      resource: source,
      kind: 'move',
      sourceRecordId,
      fromPatient: wrong,
      toPatient: right,
    });
    assert.deepEqual(moved.subject, {
      identifier: { system: ledgerSystems.address, value: right },
      type: 'Patient',
    });
    assert.deepEqual(moved.performer, [{ reference: `Patient/${right}` }]);
    assert.deepEqual(moved.note, [{ text: wrong }], 'free text is content, not a reference: it is kept');
    assert.deepEqual(derivationOfResource(moved), { kind: 'move', sourceRecordId, relation: 'replaces' });
    assert.ok(!JSON.stringify(moved.subject).includes(wrong));
    validateResource(moved, 'lab');
  });

  it('notes a reason given with the copy (a referral)', () => {
    const copied = deriveResource({ resource: lab, kind: 'copy', sourceRecordId, reason: 'referral' });
    assert.deepEqual(derivationOfResource(copied), { kind: 'copy', sourceRecordId, reason: 'referral' });
    assert.throws(() =>
      deriveResource({ resource: lab, kind: 'copy', sourceRecordId, reason: 'Not a code!' }),
    );
  });

  it('a record derived again carries only its last origin', () => {
    const first = deriveResource({ resource: lab, kind: 'copy', sourceRecordId });
    const otherSource = `0x${'34'.repeat(32)}`;
    const second = deriveResource({ resource: first, kind: 'duplicate', sourceRecordId: otherSource });
    const notes = (second.extension as { url: string }[]).filter(
      (entry) => entry.url === derivationExtensionUrl,
    );
    assert.equal(notes.length, 1);
    assert.deepEqual(second.meta, { tag: [{ system: derivationTagSystem, code: 'duplicate' }] });
    assert.deepEqual(derivationOfResource(second), { kind: 'duplicate', sourceRecordId: otherSource });
  });

  it('keeps the extensions the source already had', () => {
    const other = { url: 'http://example.org/x', valueString: 'kept' };
    const diagnosis = {
      ...buildDiagnosis({ patient: wrong, name: 'Asthma', clinicalStatus: 'active' }),
      extension: [other],
    };
    const copied = deriveResource({ resource: diagnosis, kind: 'copy', sourceRecordId, id: 'fixed' });
    assert.equal(copied.id, 'fixed');
    assert.deepEqual((copied.extension as unknown[])[0], other);
    validateResource(copied, 'condition');
  });

  it('refuses a move without both patients or to the same patient, a malformed source id, a non-resource', () => {
    const refused = (input: Parameters<typeof deriveResource>[0]) =>
      assert.throws(
        () => deriveResource(input),
        (error: unknown) => error instanceof InvalidInputError && error.reason === 'derivation_invalid',
      );
    refused({ resource: lab, kind: 'move', sourceRecordId, toPatient: right });
    refused({
      resource: lab,
      kind: 'move',
      sourceRecordId,
      fromPatient: wrong,
      toPatient: wrong.toUpperCase().replace('0X', '0x'),
    });
    refused({ resource: lab, kind: 'copy', sourceRecordId: '0x12' });
    refused({ resource: [lab], kind: 'copy', sourceRecordId });
    refused({ resource: lab, kind: 'erase' as 'copy', sourceRecordId });
  });
});

describe('derivationOfResource', () => {
  it('is null for a resource that was not derived or whose note is malformed', () => {
    assert.equal(derivationOfResource(lab), null);
    assert.equal(derivationOfResource('text'), null);
    const bad = {
      ...lab,
      extension: [{ url: derivationExtensionUrl, extension: [{ url: 'action', valueCode: 'copy' }] }],
    };
    assert.equal(derivationOfResource(bad), null);
  });
});
