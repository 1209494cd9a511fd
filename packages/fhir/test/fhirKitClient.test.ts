/**
 * fhir-kit-client (a FHIR client written by others, used unchanged) against the FHIR server of a
 * patient and of a member without consent, on a real gateway: what an EHR or integration engine
 * would do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { Client } from 'fhir-kit-client';
import {
  type Consortium,
  condition,
  foundConsortium,
  type Json,
  labObservation,
  newMember,
  newPatient,
  type RunningFhirServer,
  startFhirServer,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

describe('fhir-kit-client against medledger fhir serve', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let patient: GatewayClient;
  let stranger: GatewayClient;
  let patientFhir: RunningFhirServer;
  let strangerFhir: RunningFhirServer;
  let fhir: Client;
  const observationIds: string[] = [];

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    [patient, stranger] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium, 'doctor'),
    ]);
    for (let day = 1; day <= 5; day++) {
      const { recordId } = await patient.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labObservation(patient.address, '2345-7', `2024-03-0${day}`, 80 + day),
      });
      observationIds.push(recordId.slice(2));
    }
    [patientFhir, strangerFhir] = await Promise.all([startFhirServer(patient), startFhirServer(stranger)]);
    fhir = new Client({ baseUrl: patientFhir.base });
  });
  after(async () => {
    await Promise.all([patientFhir?.stop(), strangerFhir?.stop()]);
    await gateway?.stop();
  });

  test('capabilityStatement', async () => {
    const statement: Json = await fhir.capabilityStatement();
    assert.equal(statement.resourceType, 'CapabilityStatement');
    assert.equal(statement.fhirVersion, '4.0.1');
  });

  test('read', async () => {
    const observation: Json = await fhir.read({
      resourceType: 'Observation',
      id: observationIds[0] as string,
    });
    assert.equal(observation.id, observationIds[0]);
    assert.equal(observation.effectiveDateTime, '2024-03-01');
  });

  test('search with paging: nextPage to the end', async () => {
    let bundle: Json = await fhir.search({
      resourceType: 'Observation',
      searchParams: { code: 'http://loinc.org|2345-7', _count: 2, _sort: 'date' },
    });
    assert.equal(bundle.total, 5);
    const seen: string[] = [];
    while (bundle) {
      seen.push(...(bundle.entry ?? []).map((entry: Json) => entry.resource.id));
      bundle = await fhir.nextPage({ bundle });
    }
    assert.deepEqual(seen, observationIds);
  });

  test('create, update and history', async () => {
    const created: Json = await fhir.create({
      resourceType: 'Condition',
      body: condition(patient.address, '195967001', '2010'),
    });
    assert.match(created.id, /^[0-9a-f]{64}$/);
    assert.equal(created.meta.versionId, '1');
    const updated: Json = await fhir.update({
      resourceType: 'Condition',
      id: created.id,
      body: { ...created, onsetDateTime: '2011' },
      options: { headers: { 'if-match': 'W/"1"' } },
    });
    assert.equal(updated.meta.versionId, '2');
    assert.equal(updated.onsetDateTime, '2011');
    const history: Json = await fhir.history({ resourceType: 'Condition', id: created.id });
    assert.equal(history.type, 'history');
    assert.deepEqual(
      history.entry.map((entry: Json) => entry.resource.onsetDateTime),
      ['2011', '2010'],
    );
  });

  test('transaction', async () => {
    const encounter = 'urn:uuid:5d2c3b0e-0f1a-4c36-9d7e-3f1f2b6a8e01';
    const response: Json = await fhir.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: encounter,
            resource: {
              resourceType: 'Encounter',
              status: 'finished',
              class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
              subject: { reference: `Patient/${patient.address}` },
            },
            request: { method: 'POST', url: 'Encounter' },
          },
          {
            resource: {
              ...condition(patient.address, '444814009', '2024-12'),
              encounter: { reference: encounter },
            },
            request: { method: 'POST', url: 'Condition' },
          },
        ],
      },
    });
    assert.equal(response.type, 'transaction-response');
    assert.deepEqual(
      response.entry.map((entry: Json) => entry.response.status),
      ['201 Created', '201 Created'],
    );
    const [encounterId, conditionId] = response.entry.map((entry: Json) => entry.resource.id);
    const stored: Json = await fhir.read({ resourceType: 'Condition', id: conditionId });
    assert.equal(stored.encounter.reference, `Encounter/${encounterId}`);
  });

  test('$everything through operation', async () => {
    const bundle: Json = await fhir.operation({
      name: '$everything',
      resourceType: 'Patient',
      id: patient.address,
    });
    assert.equal(bundle.type, 'searchset');
    const types = bundle.entry.map((entry: Json) => entry.resource.resourceType);
    assert.equal(types[0], 'Patient');
    assert.equal(types.filter((type: string) => type === 'Observation').length, 5);
    assert.equal(bundle.total, bundle.entry.length);
    const viaGet: Json = await fhir.operation({
      name: 'everything',
      resourceType: 'Patient',
      id: patient.address,
      method: 'GET',
      input: { _type: 'Observation' },
    });
    assert.equal(viaGet.total, 5);
  });

  test('a denied read: an OperationOutcome with status 403', async () => {
    const strangers = new Client({ baseUrl: strangerFhir.base });
    await assert.rejects(
      strangers.read({ resourceType: 'Observation', id: observationIds[0] as string }),
      (error: Json) => {
        assert.equal(error.response.status, 403);
        assert.equal(error.response.data.resourceType, 'OperationOutcome');
        assert.equal(error.response.data.issue[0].code, 'forbidden');
        return true;
      },
    );
  });
});
