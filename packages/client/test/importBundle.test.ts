/** Bundle import against a real gateway: chosen record ids, resumable imports, progress, all or nothing. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addRecord,
  type GatewayClient,
  gatewayRecordAnchors,
  type ImportProgress,
  importBundle,
  importRecordIdFor,
  importSecretOf,
  readRecord,
} from '@medledger/client';
import {
  bytesToHex,
  ConflictError,
  type FhirResource,
  InvalidInputError,
  randomBytes,
} from '@medledger/core';
import type { Hex } from 'viem';
import {
  type Consortium,
  foundConsortium,
  labResult,
  newPatient,
  rejectsWith,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

/** A Bundle of `count` lab results named `label`, each referring to the first (a report and its parts). */
function labBundle(label: string, count: number, type = 'collection') {
  return {
    resourceType: 'Bundle',
    type,
    entry: Array.from({ length: count }, (_, index) => ({
      fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      resource: {
        ...labResult(`${label} ${index}`),
        ...(index ? { hasMember: [{ reference: 'urn:uuid:00000000-0000-4000-8000-000000000000' }] } : {}),
      },
    })),
  };
}

describe('importBundle', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let patient: GatewayClient;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    patient = await newPatient(gateway.url, consortium);
  });
  after(() => gateway.stop());

  const anchored = async (who: GatewayClient) =>
    new Set((await gatewayRecordAnchors(gateway.url, { patient: who.address })).map((a) => a.recordId));

  it('addRecord: anchors a record under the record id given, and refuses that id a second time', async () => {
    const recordId = bytesToHex(randomBytes(32)) as Hex;
    const added = await addRecord(patient, {
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
      recordId,
    });
    assert.equal(added.recordId, recordId);
    const { record } = await readRecord(patient, recordId);
    assert.equal(record.recordId, recordId);
    await rejectsWith(
      addRecord(patient, { patient: patient.address, category: 'lab', resource: labResult(), recordId }),
      ConflictError,
      'records_already_anchored',
    );
    await rejectsWith(
      addRecord(patient, {
        patient: patient.address,
        category: 'lab',
        resource: labResult(),
        recordId: `0x${'00'.repeat(32)}`,
      }),
      InvalidInputError,
      undefined,
    );
  });

  it('derives the same record ids each time, different ones for another identity or patient', async () => {
    const other = await newPatient(gateway.url, consortium);
    const entry = { index: 0, sourceKey: 'urn:uuid:a', resource: labResult() as FhirResource };
    const mine = importRecordIdFor(await importSecretOf(patient), patient.address);
    assert.equal(mine(entry), importRecordIdFor(await importSecretOf(patient), patient.address)(entry));
    assert.notEqual(mine(entry), importRecordIdFor(await importSecretOf(other), patient.address)(entry));
    assert.notEqual(mine(entry), importRecordIdFor(await importSecretOf(patient), other.address)(entry));
    assert.notEqual(mine(entry), mine({ ...entry, resource: labResult('Another') as FhirResource }));
    assert.notEqual(mine(entry), mine({ ...entry, sourceKey: 'urn:uuid:b' }));
  });

  it('adds every entry once, reports progress, and adds nothing when run again', async () => {
    const bundle = labBundle('Potassium', 12);
    const seen: ImportProgress[] = [];
    const first = await importBundle(patient, {
      patient: patient.address,
      bundle,
      concurrency: 4,
      onProgress: (progress) => seen.push(progress),
    });
    assert.deepEqual(
      [
        first.entries,
        first.records,
        first.alreadyThere,
        first.refused,
        first.byResourceType,
        first.byCategory,
      ],
      [12, 12, 0, [], { Observation: 12 }, { lab: 12 }],
    );
    assert.deepEqual(seen[0], { done: 0, total: 12, skipped: 0 });
    assert.deepEqual(seen.at(-1), { done: 12, total: 12, skipped: 0 });
    assert.ok(seen.every((progress, index) => index === 0 || progress.done === seen[index - 1]!.done + 1));
    const ids = first.imported.map((record) => record.recordId);
    const onChain = await anchored(patient);
    for (const id of ids) assert.ok(onChain.has(id), `${id} anchored`);
    // The report (entry 0) went first: every other result refers to it by its FHIR id.
    const { resource } = await readRecord(patient, ids[5]!);
    assert.deepEqual((resource as { hasMember: unknown }).hasMember, [
      { reference: `Observation/${first.imported[0]!.fhirId}` },
    ]);
    assert.equal(first.imported[0]!.fhirId, ids[0]!.slice(2));

    const again = await importBundle(patient, { patient: patient.address, bundle });
    assert.deepEqual([again.records, again.alreadyThere], [0, 12]);
    assert.ok(again.imported.every((record) => record.status === 'already_there'));
  });

  it('two imports of one Bundle at once: each record anchored once, none lost', async () => {
    const bundle = labBundle('Sodium', 10, 'batch');
    const [one, two] = await Promise.all([
      importBundle(patient, { patient: patient.address, bundle, concurrency: 8 }),
      importBundle(patient, { patient: patient.address, bundle, concurrency: 8 }),
    ]);
    assert.equal(one.records + two.records, 10);
    assert.deepEqual([one.records + one.alreadyThere, two.records + two.alreadyThere], [10, 10]);
    const onChain = await anchored(patient);
    for (const record of one.imported) assert.ok(onChain.has(record.recordId));
  });

  it('atomic: one refused entry refuses the whole Bundle before anything is written', async () => {
    const bundle = labBundle('Calcium', 3, 'transaction');
    (bundle.entry[2]!.resource as Record<string, unknown>).code = undefined;
    const before = (await anchored(patient)).size;
    await rejectsWith(
      importBundle(patient, { patient: patient.address, bundle, atomic: true }),
      InvalidInputError,
      'bundle_entries_refused',
    );
    assert.equal((await anchored(patient)).size, before);
    const partial = await importBundle(patient, { patient: patient.address, bundle });
    assert.deepEqual(
      [partial.records, partial.refused.map((entry) => [entry.index, entry.kind])],
      [2, [[2, 'invalid_resource']]],
    );
  });
});
