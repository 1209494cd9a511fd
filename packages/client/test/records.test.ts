/** The record actions against a real gateway: write, read, the raw access answer, list, re-key. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  accessRecord,
  addRecord,
  type GatewayClient,
  listRecords,
  readRecord,
  rekeyRecord,
} from '@medledger/client';
import {
  AccessDeniedError,
  base64urlToBytes,
  digestOf,
  InvalidInputError,
  parseEnvelope,
} from '@medledger/core';
import type { Hex } from 'viem';
import {
  type Consortium,
  eventually,
  foundConsortium,
  labResult,
  medication,
  newMember,
  newPatient,
  rejectsWith,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

describe('record actions', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let nurse: GatewayClient;
  let labRecord: Hex;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    [patient, doctor, nurse] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium, 'doctor'),
      newMember(gateway.url, consortium, 'nurse'),
    ]);
    await patient.grantConsent({
      grantee: doctor.address,
      categories: ['lab', 'medication'],
      actions: ['read', 'append'],
      expiresInSeconds: 3600,
    });
    ({ recordId: labRecord } = await addRecord(doctor, {
      patient: patient.address,
      category: 'lab',
      resource: labResult('Potassium 4.1 mmol/L'),
    }));
  });
  after(() => gateway.stop());

  it('addRecord: encrypts, signs and anchors a record under the patient’s custodian', async () => {
    const added = await addRecord(doctor, {
      patient: patient.address,
      category: 'medication',
      resource: medication(),
    });
    assert.match(added.recordId, /^0x[0-9a-f]{64}$/);
    assert.equal(added.organisationId, consortium.organisationId);
    assert.ok(added.blockNumber > 0);
    const { record } = await readRecord(patient, added.recordId);
    assert.deepEqual(
      [record.author, record.patient, record.category, record.sensitivity, record.contentDigest],
      [doctor.address, patient.address, 'medication', 'normal', added.contentDigest],
    );
    // The resource is checked against its category before anything is signed or sent.
    await rejectsWith(
      addRecord(doctor, { patient: patient.address, category: 'lab', resource: medication() }),
      InvalidInputError,
      undefined,
    );
    // Without consent to append, the gateway refuses.
    await rejectsWith(
      addRecord(nurse, { patient: patient.address, category: 'lab', resource: labResult() }),
      AccessDeniedError,
      'no_consent',
    );
  });

  it('readRecord: a reader with consent and the patient open the record unchanged; others are denied', async () => {
    const byDoctor = await readRecord(doctor, labRecord);
    assert.deepEqual(byDoctor.resource, labResult('Potassium 4.1 mmol/L'));
    assert.equal(byDoctor.record.recordId, labRecord);
    const byPatient = await readRecord(patient, labRecord, 'PATRQT');
    assert.deepEqual(byPatient.resource, labResult('Potassium 4.1 mmol/L'));
    await rejectsWith(readRecord(nurse, labRecord), AccessDeniedError, 'no_consent');
  });

  it('accessRecord: the gateway’s raw answer, an envelope that matches the anchored digest', async () => {
    const answer = await accessRecord(doctor, labRecord, 'TREAT');
    const bytes = base64urlToBytes(answer.envelope, 'envelope');
    assert.equal(digestOf(bytes), answer.record.contentDigest);
    assert.equal(parseEnvelope(bytes).meta.recordId, labRecord);
    assert.ok(answer.sealedKey || answer.sealedShare, 'a key or a key share for the reader');
    await rejectsWith(accessRecord(nurse, labRecord), AccessDeniedError, 'no_consent');
  });

  it('listRecords: the patient’s records the caller may see, metadata only', async () => {
    const { records } = await listRecords(patient, patient.address);
    assert.ok(records.some((record) => record.recordId === labRecord && record.category === 'lab'));
    const seenByDoctor = await listRecords(doctor, patient.address);
    assert.ok(seenByDoctor.records.every((record) => ['lab', 'medication'].includes(record.category)));
    assert.ok(seenByDoctor.records.some((record) => record.recordId === labRecord));
  });

  it('rekeyRecord: the patient re-encrypts a record as a new version; no one else may', async () => {
    const rekeyed = await rekeyRecord(patient, labRecord);
    assert.notEqual(rekeyed.recordId, labRecord);
    const { record, resource } = await readRecord(patient, rekeyed.recordId);
    assert.equal(record.supersedes, labRecord);
    assert.deepEqual(resource, labResult('Potassium 4.1 mmol/L'));
    // The gateway's index marks the old version superseded as it follows the chain.
    const supersededBy = await eventually(async () => {
      const old = (await listRecords(patient, patient.address)).records.find((r) => r.recordId === labRecord);
      return old?.supersededBy ?? undefined;
    }, 'the old version marked superseded');
    assert.equal(supersededBy, rekeyed.recordId);
    // The doctor can read it but is not its patient: refused on the client's side, nothing sent.
    await rejectsWith(rekeyRecord(doctor, rekeyed.recordId), AccessDeniedError, undefined);
  });

  it('binds the same actions as methods of the gateway client', async () => {
    const viaMethod = await doctor.readRecord(labRecord);
    assert.deepEqual(viaMethod.resource, (await readRecord(doctor, labRecord)).resource);
  });
});
