/**
 * `POST /fhir` with transaction and batch Bundles, against a real gateway: references between
 * entries resolved, all or nothing for a transaction (an invalid entry, a category the user may
 * not add), per-entry outcomes for a batch, and nothing added twice when a Bundle comes again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import {
  type Consortium,
  condition,
  fhirCall,
  foundConsortium,
  immunization,
  type Json,
  labObservation,
  newMember,
  newPatient,
  type RunningFhirServer,
  resourcesOf,
  startFhirServer,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

function visit(patient: string) {
  return {
    resourceType: 'Encounter',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: `Patient/${patient}` },
    period: { start: '2024-09-10T10:00:00Z', end: '2024-09-10T10:30:00Z' },
  };
}

function transactionOf(type: 'transaction' | 'batch', resources: Json[]) {
  return {
    resourceType: 'Bundle',
    type,
    entry: resources.map((resource, index) => ({
      fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      resource,
      request: { method: 'POST', url: resource.resourceType },
    })),
  };
}

describe('FHIR transactions and batches', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let patientFhir: RunningFhirServer;
  let doctorFhir: RunningFhirServer;

  const count = async (server: RunningFhirServer, type: string) =>
    (await fhirCall(server.base, 'GET', `${type}?patient=${patient.address}&_summary=count`)).body
      .total as number;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium, 'doctor'),
    ]);
    await patient.grantConsent({
      grantee: doctor.address,
      categories: ['lab', 'encounter'],
      actions: ['read', 'append'],
      expiresInSeconds: 3600,
    });
    [patientFhir, doctorFhir] = await Promise.all([
      startFhirServer(patient, { listingTtlMs: 0 }),
      startFhirServer(doctor, { listingTtlMs: 0 }),
    ]);
  });
  after(async () => {
    await Promise.all([patientFhir?.stop(), doctorFhir?.stop()]);
    await gateway?.stop();
  });

  test('a transaction: every entry a record, references between entries resolved, a transaction-response', async () => {
    const p = patient.address;
    const observation = {
      ...labObservation(p, '2345-7', '2024-09-10T10:10:00Z', 97),
      encounter: { reference: 'urn:uuid:00000000-0000-4000-8000-000000000000' },
    };
    const bundle = transactionOf('transaction', [visit(p), observation, condition(p, '73211009', '2024-09')]);
    const answer = await fhirCall(patientFhir.base, 'POST', '', { body: bundle });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.type, 'transaction-response');
    assert.deepEqual(
      answer.body.entry.map((entry: Json) => entry.response.status),
      ['201 Created', '201 Created', '201 Created'],
    );
    const [encounterId, observationId] = answer.body.entry.map((entry: Json) => entry.resource.id);
    assert.match(
      answer.body.entry[1].response.location,
      new RegExp(`^Observation/${observationId}/_history/1$`),
    );

    const read = await fhirCall(patientFhir.base, 'GET', `Observation/${observationId}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.encounter.reference, `Encounter/${encounterId}`);
    const included = await fhirCall(
      patientFhir.base,
      'GET',
      `Observation?_id=${observationId}&_include=Observation:encounter`,
    );
    assert.deepEqual(
      resourcesOf(included.body, 'include').map((resource) => `${resource.resourceType}/${resource.id}`),
      [`Encounter/${encounterId}`],
    );

    // The same Bundle again adds nothing twice.
    const again = await fhirCall(patientFhir.base, 'POST', '', { body: bundle });
    assert.equal(again.status, 200);
    assert.deepEqual(
      again.body.entry.map((entry: Json) => entry.response.status),
      ['200 OK', '200 OK', '200 OK'],
    );
    assert.equal(await count(patientFhir, 'Observation'), 1);
  });

  test('a transaction with one invalid entry changes nothing: 422 naming the entry and its element', async () => {
    const p = patient.address;
    const { code: _code, ...withoutCode } = labObservation(p, '718-7', '2024-10-01');
    const before = await count(patientFhir, 'Condition');
    const answer = await fhirCall(patientFhir.base, 'POST', '', {
      body: transactionOf('transaction', [condition(p, '38341003', '2020'), withoutCode]),
    });
    assert.equal(answer.status, 422);
    assert.equal(answer.body.resourceType, 'OperationOutcome');
    assert.ok(
      answer.body.issue.some((issue: Json) => issue.expression?.[0]?.startsWith('Bundle.entry[1]')),
      JSON.stringify(answer.body),
    );
    assert.equal(await count(patientFhir, 'Condition'), before, 'the valid entry was not written either');
  });

  test('a transaction with a category the user may not add changes nothing: 403', async () => {
    const p = patient.address;
    const before = await count(doctorFhir, 'Observation');
    const answer = await fhirCall(doctorFhir.base, 'POST', '', {
      body: transactionOf('transaction', [
        labObservation(p, '2093-3', '2024-10-02', 180),
        immunization(p, '140', '2024-10-02'),
      ]),
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.resourceType, 'OperationOutcome');
    assert.equal(await count(doctorFhir, 'Observation'), before);
  });

  test('a batch writes what it can and answers each entry', async () => {
    const p = patient.address;
    const { code: _code, ...withoutCode } = labObservation(p, '718-7', '2024-10-03');
    const answer = await fhirCall(doctorFhir.base, 'POST', '', {
      body: transactionOf('batch', [
        labObservation(p, '718-7', '2024-10-03', 13.9),
        withoutCode,
        immunization(p, '141', '2024-10-03'),
      ]),
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.type, 'batch-response');
    const statuses = answer.body.entry.map((entry: Json) => entry.response.status);
    assert.deepEqual(statuses, ['201 Created', '422 Unprocessable Entity', '403 Forbidden']);
    assert.equal(answer.body.entry[1].response.outcome.resourceType, 'OperationOutcome');
    const written = answer.body.entry[0].resource.id;
    assert.equal((await fhirCall(patientFhir.base, 'GET', `Observation/${written}`)).status, 200);
  });

  test('PUT Type/id of an existing resource in a transaction is an update; a stale ifMatch refuses the whole', async () => {
    const p = patient.address;
    const created = await fhirCall(patientFhir.base, 'POST', 'Condition', {
      body: condition(p, '271737000', '2023-02'),
    });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const conditionUrl = 'urn:uuid:7a3e9d1c-51b2-4f0a-8c7e-2d4b6a8f0c11';
    const bundle = (ifMatch: string, value: number) => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: conditionUrl,
          resource: { ...created.body, onsetDateTime: '2023-03' },
          request: { method: 'PUT', url: `Condition/${id}`, ifMatch },
        },
        {
          resource: {
            ...labObservation(p, '718-7', '2023-03-02', value),
            focus: [{ reference: conditionUrl }],
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    });
    const answer = await fhirCall(patientFhir.base, 'POST', '', { body: bundle('W/"1"', 10.2) });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(
      answer.body.entry.map((entry: Json) => entry.response.status),
      ['200 OK', '201 Created'],
    );
    assert.equal(answer.body.entry[0].response.location, `Condition/${id}/_history/2`);
    const current = await fhirCall(patientFhir.base, 'GET', `Condition/${id}`);
    assert.equal(current.body.meta.versionId, '2');
    assert.equal(current.body.onsetDateTime, '2023-03');
    const observation = await fhirCall(
      patientFhir.base,
      'GET',
      `Observation/${answer.body.entry[1].resource.id}`,
    );
    assert.equal(observation.body.focus[0].reference, `Condition/${id}`);

    const observations = await count(patientFhir, 'Observation');
    const stale = await fhirCall(patientFhir.base, 'POST', '', { body: bundle('W/"1"', 10.9) });
    assert.equal(stale.status, 412);
    assert.match(stale.body.issue[0].diagnostics, /Bundle\.entry\[0\]/);
    assert.equal(await count(patientFhir, 'Observation'), observations, 'nothing was written');
    assert.equal((await fhirCall(patientFhir.base, 'GET', `Condition/${id}`)).body.meta.versionId, '2');
  });

  test('not a transaction or batch: 400', async () => {
    const answer = await fhirCall(patientFhir.base, 'POST', '', {
      body: { resourceType: 'Bundle', type: 'collection' },
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.resourceType, 'OperationOutcome');
  });
});
