/**
 * Re-keying after a revocation: a reader who kept a record's data key from before its consent was
 * revoked can open nothing of the version the patient re-keyed, and is refused it by the gateway.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import {
  AccessDeniedError,
  base64urlToBytes,
  generateIdentity,
  IntegrityError,
  openRecord,
  openResealedDataKey,
  parseEnvelope,
} from '@medledger/core';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

let gateway: TestGateway;
let doctor: GatewayClient;
let patient: GatewayClient;
const allergy = {
  resourceType: 'AllergyIntolerance',
  // R4 invariant ait-1: a clinical status unless entered in error.
  clinicalStatus: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
  },
  patient: { reference: 'Patient/example' },
  code: { text: 'Penicillin' },
};

before(async () => {
  gateway = await startTestGateway();
  const admin = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  const { organisationId } = await admin.createOrganisation({ name: 'Re-keying Hospital', kind: 'hospital' });
  doctor = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  await admin.addMember({
    organisationId,
    member: doctor.address,
    role: 'doctor',
    encryptionKey: doctor.identity.encryption.publicKey,
  });
  patient = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  await patient.registerPatient({ organisationId });
});

after(() => gateway?.stop());

test('a revoked reader’s kept key opens nothing of the re-keyed version, and the gateway refuses it', async () => {
  const { recordId } = await patient.addRecord({
    patient: patient.address,
    category: 'allergy',
    resource: allergy,
  });
  const { grantId } = await patient.grantConsent({
    grantee: doctor.address,
    categories: ['allergy'],
    actions: ['read'],
    expiresInSeconds: 3600,
  });

  // The doctor reads while allowed, and keeps the data key.
  const answer = await doctor.accessRecord(recordId);
  assert.ok(answer.sealedKey);
  const keptKey = await openResealedDataKey(
    { enc: base64urlToBytes(answer.sealedKey.enc), ct: base64urlToBytes(answer.sealedKey.ct) },
    doctor.identity.encryption.secretKey,
    recordId,
  );
  assert.ok(openRecord(parseEnvelope(base64urlToBytes(answer.envelope)), keptKey).length > 0);

  await patient.revokeConsent(grantId);
  const rekeyed = await patient.rekeyRecord(recordId);
  assert.notEqual(rekeyed.recordId, recordId);

  // The new version's ciphertext is public by CID; the kept key does not open it.
  const blob = new Uint8Array(await (await fetch(`${gateway.url}/api/blobs/${rekeyed.cid}`)).arrayBuffer());
  assert.throws(() => openRecord(parseEnvelope(blob), keptKey), IntegrityError);
  await assert.rejects(doctor.readRecord(rekeyed.recordId), AccessDeniedError);

  // The patient reads the new version unchanged, and the old one is marked superseded by it.
  assert.deepEqual((await patient.readRecord(rekeyed.recordId)).resource, allergy);
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { records } = await patient.listRecords(patient.address);
    const old = records.find((record) => record.recordId === recordId);
    if (old?.supersededBy === rekeyed.recordId) break;
    assert.ok(Date.now() < deadline, 'the old version is marked superseded');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

test('only the patient re-keys its records', async () => {
  const { recordId } = await patient.addRecord({
    patient: patient.address,
    category: 'allergy',
    resource: allergy,
  });
  await patient.grantConsent({
    grantee: doctor.address,
    categories: ['allergy'],
    actions: ['read', 'append'],
    expiresInSeconds: 3600,
  });
  await assert.rejects(doctor.rekeyRecord(recordId), AccessDeniedError);
});
