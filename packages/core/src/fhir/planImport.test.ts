import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Hex, keccak256, toBytes } from 'viem';
import { InvalidInputError } from '../errors.ts';
import { type ImportEntry, planImport } from './planImport.ts';
import type { FhirResource } from './types.ts';

const patient = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const me = patient.toLowerCase();
/** A record id per entry, as the client derives them: deterministic in what names the entry. */
const recordIdFor = (entry: ImportEntry): Hex => keccak256(toBytes(`test:${entry.sourceKey}`));
const hexOf = (sourceKey: string) =>
  recordIdFor({ index: 0, sourceKey, resource: { resourceType: 'Basic' } as FhirResource }).slice(2);

const heartRate = (subject: string, encounter?: string) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'Heart rate' },
  category: [{ coding: [{ code: 'vital-signs' }] }],
  subject: { reference: subject },
  ...(encounter ? { encounter: { reference: encounter } } : {}),
});
const encounter = (subject: string) => ({
  resourceType: 'Encounter',
  status: 'finished',
  class: { code: 'AMB' },
  subject: { reference: subject },
});

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
      resource: { ...encounter('urn:uuid:p'), id: 'e' },
      request: { method: 'POST', url: 'Encounter' },
    },
    {
      fullUrl: 'urn:uuid:o',
      resource: { ...heartRate('urn:uuid:p', 'urn:uuid:e'), id: 'o' },
      request: { method: 'POST', url: 'Observation' },
    },
    { fullUrl: 'urn:uuid:x', resource: { resourceType: 'Condition', id: 'x' } },
    { fullUrl: 'urn:uuid:empty' },
    { request: { method: 'DELETE', url: 'Observation/123' } },
    {
      resource: { resourceType: 'Observation', id: 'q' },
      request: { method: 'PATCH', url: 'Observation/q' },
    },
    { resource: { resourceType: 'Spaceship', id: 's' } },
  ],
};

describe('planImport', () => {
  it('gives each resource its record id as FHIR id and rewrites references to it', () => {
    const { records } = planImport(transaction, { patient, recordIdFor });
    const observation = records.find((record) => record.index === 2)!;
    const enc = records.find((record) => record.index === 1)!;
    assert.equal(enc.recordId, `0x${hexOf('urn:uuid:e')}`);
    assert.equal(enc.resource.id, hexOf('urn:uuid:e'));
    assert.match(enc.resource.id!, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      [enc.category, enc.sourceId, enc.sourceKey, enc.references],
      ['encounter', 'e', 'urn:uuid:e', [0]],
    );
    assert.equal(observation.resource.id, hexOf('urn:uuid:o'));
    assert.equal(observation.category, 'vitals');
    assert.deepEqual(observation.resource.subject, { reference: `Patient/${me}` });
    assert.deepEqual(observation.resource.encounter, { reference: `Encounter/${hexOf('urn:uuid:e')}` });
    assert.deepEqual(observation.references, [0, 1]);
  });

  it('makes the Patient the patient’s demographics: its id the address, references to it and in it rewritten', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:org',
          resource: { resourceType: 'Organization', id: 'org', name: 'St Elsewhere' },
        },
        {
          fullUrl: 'urn:uuid:p',
          resource: {
            resourceType: 'Patient',
            id: 'p',
            managingOrganization: { reference: 'urn:uuid:org' },
            link: [{ other: { reference: 'Patient/p' }, type: 'seealso' }],
          },
        },
        { resource: { resourceType: 'Patient', id: 'mother' } },
        {
          resource: {
            resourceType: 'CarePlan',
            status: 'active',
            intent: 'plan',
            subject: { reference: 'Patient/p' },
          },
        },
        {
          resource: {
            resourceType: 'Basic',
            code: { text: 'anything else' },
            subject: { reference: 'urn:uuid:p' },
          },
        },
      ],
    };
    const { records, refused } = planImport(bundle, { patient, recordIdFor });
    assert.deepEqual(
      records.map((record) => [record.index, record.category, record.resource.id]),
      [
        [0, 'administrative', hexOf('urn:uuid:org')],
        [1, 'demographics', me],
        [3, 'careplan', records[2]!.recordId.slice(2)],
        [4, 'other', records[3]!.recordId.slice(2)],
      ],
    );
    const [, demographics, carePlan, basic] = records;
    assert.deepEqual(demographics!.resource.managingOrganization, {
      reference: `Organization/${hexOf('urn:uuid:org')}`,
    });
    assert.deepEqual(demographics!.resource.link, [
      { other: { reference: `Patient/${me}` }, type: 'seealso' },
    ]);
    assert.deepEqual(demographics!.references, [0]);
    assert.deepEqual(carePlan!.resource.subject, { reference: `Patient/${me}` });
    assert.deepEqual(basic!.resource.subject, { reference: `Patient/${me}` });
    assert.deepEqual(basic!.references, [1]);
    assert.deepEqual(
      refused.map(({ index, kind, reason }) => [index, kind, reason]),
      [
        [
          2,
          'second_patient',
          "a second Patient: an import holds one patient's records, and entry 1 is the patient",
        ],
      ],
    );
  });

  it('refuses entries it cannot import, each with a kind and a reason', () => {
    const { records, refused } = planImport(transaction, { patient, recordIdFor });
    assert.deepEqual(
      records.map((record) => record.index),
      [0, 1, 2],
    );
    assert.deepEqual(
      refused.map(({ index, resourceType, kind }) => [index, resourceType, kind]),
      [
        [3, 'Condition', 'invalid_resource'],
        [4, 'unknown', 'not_a_resource'],
        [5, 'Observation', 'unsupported_method'],
        [6, 'Observation', 'unsupported_method'],
        [7, 'Spaceship', 'unknown_resource_type'],
      ],
    );
    const [condition, empty, deleted, patched, spaceship] = refused;
    assert.match(condition!.reason, /category condition: Condition\.subject: missing/);
    assert.equal(condition!.path, 'Condition.subject');
    assert.match(empty!.reason, /no resource/);
    assert.match(deleted!.reason, /^DELETE is not supported/);
    assert.match(patched!.reason, /^PATCH is not supported/);
    assert.match(spaceship!.reason, /"Spaceship" is not a FHIR R4 resource type/);
  });

  it('atomic: refuses the whole Bundle, naming every refused entry', () => {
    assert.throws(
      () => planImport(transaction, { patient, recordIdFor, atomic: true }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidInputError);
        assert.equal(error.reason, 'bundle_entries_refused');
        assert.deepEqual(error.fields, { refused: 5, entries: 8 });
        assert.equal(error.metaMessages?.length, 5);
        assert.match(error.metaMessages![0]!, /^entry\[3\] Condition at Condition\.subject: /);
        assert.match(error.metaMessages![2]!, /^entry\[5\] Observation: DELETE/);
        return true;
      },
    );
    const valid = { ...transaction, entry: transaction.entry.slice(0, 3) };
    const { records, refused } = planImport(valid, { patient, recordIdFor, atomic: true });
    assert.deepEqual([records.length, refused.length], [3, 0]);
  });

  it('leaves the bundle untouched', () => {
    const before = structuredClone(transaction);
    planImport(transaction, { patient, recordIdFor });
    assert.deepEqual(transaction, before);
  });

  it('resolves Type/id, absolute and versioned fullUrls and conditional references; leaves #contained and outside ones', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'https://ehr.example/fhir/Encounter/42',
          resource: { ...encounter('Patient/p9'), id: '42' },
        },
        {
          resource: {
            ...encounter('Patient/p9'),
            identifier: [{ system: 'https://ehr.example/visits', value: 'V 7' }],
          },
          request: { method: 'PUT', url: 'Encounter/7' },
        },
        {
          fullUrl: 'https://ehr.example/fhir/Observation/1',
          resource: {
            ...heartRate('https://ehr.example/fhir/Patient/p9', 'Encounter/42'),
            partOf: [{ reference: 'Encounter/7/_history/3' }],
            focus: [{ reference: 'https://ehr.example/fhir/Encounter/42/_history/1' }],
            derivedFrom: [
              { reference: 'Encounter?identifier=https://ehr.example/visits|V%207' },
              { reference: '#inside' },
              { reference: 'Observation/elsewhere' },
            ],
          },
        },
      ],
    };
    const { records, refused } = planImport(bundle, { patient, recordIdFor });
    assert.deepEqual(refused, []);
    const [first, second, observation] = records;
    assert.equal(first!.sourceKey, 'https://ehr.example/fhir/Encounter/42');
    assert.equal(second!.sourceKey, 'Encounter/7');
    assert.equal(second!.sourceId, undefined);
    const firstRef = `Encounter/${first!.resource.id}`;
    const secondRef = `Encounter/${second!.resource.id}`;
    const resource = observation!.resource as Record<string, unknown>;
    assert.deepEqual(resource.encounter, { reference: firstRef });
    assert.deepEqual(resource.focus, [{ reference: firstRef }]);
    assert.deepEqual(resource.partOf, [{ reference: secondRef }]);
    assert.deepEqual(resource.derivedFrom, [
      { reference: secondRef },
      { reference: '#inside' },
      { reference: 'Observation/elsewhere' },
    ]);
    assert.deepEqual(observation!.references, [0, 1]);
    // No Patient entry: the one patient every reference names is the patient.
    for (const record of records) assert.deepEqual(record.resource.subject, { reference: `Patient/${me}` });
  });

  it('leaves patient references alone when a Bundle without Patient names several patients', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: encounter('Patient/a') }, { resource: encounter('Patient/b') }],
    };
    const { records } = planImport(bundle, { patient, recordIdFor });
    assert.deepEqual(
      records.map((record) => record.resource.subject),
      [{ reference: 'Patient/a' }, { reference: 'Patient/b' }],
    );
    assert.deepEqual(
      records.map((record) => record.sourceKey),
      ['entry[0]', 'entry[1]'],
    );
  });

  it('refuses an entry that repeats another', () => {
    const twice = { fullUrl: 'urn:uuid:same', resource: encounter('Patient/a') };
    const bundle = { resourceType: 'Bundle', type: 'batch', entry: [twice, twice] };
    const { records, refused } = planImport(bundle, { patient, recordIdFor });
    assert.equal(records.length, 1);
    assert.deepEqual(
      refused.map(({ index, kind, reason }) => [index, kind, reason]),
      [[1, 'duplicate_entry', 'the same resource as entry 0 (same record id)']],
    );
  });

  it('accepts the five importable Bundle types, and a Bundle without entries', () => {
    for (const type of ['transaction', 'batch', 'collection', 'searchset', 'document']) {
      assert.deepEqual(planImport({ resourceType: 'Bundle', type }, { patient, recordIdFor }), {
        records: [],
        refused: [],
      });
    }
  });

  it('refuses what is not an importable Bundle', () => {
    const refuses = (bundle: unknown, reason: string) =>
      assert.throws(
        () => planImport(bundle, { patient, recordIdFor }),
        (error: unknown) => error instanceof InvalidInputError && error.reason === reason,
      );
    refuses({ resourceType: 'Observation' }, 'not_a_bundle');
    refuses(null, 'not_a_bundle');
    refuses({ resourceType: 'Bundle', type: 'collection', entry: {} }, 'not_a_bundle');
    refuses({ resourceType: 'Bundle', type: 'history', entry: [] }, 'bundle_type_not_importable');
    refuses({ resourceType: 'Bundle', entry: [] }, 'bundle_type_not_importable');
    assert.throws(() => planImport(transaction, { patient: '0x12' as Hex, recordIdFor }), InvalidInputError);
    assert.throws(
      () => planImport(transaction, { patient, recordIdFor: () => '0x12' }),
      /recordIdFor must answer a record id/,
    );
  });
});
