/**
 * Key rotation under k-of-n custody: two hospitals' gateways on one chain hold 2-of-2 shares of
 * every record's key. After the patient rotates, each custodian re-seals its share of an earlier
 * record to the patient's new key, as for any reader; records written after are sealed to the new
 * key, which opens them alone.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  createGatewayClient,
  type GatewayClient,
  keepRecordsReadable,
  newPatientKeys,
  rotateKey,
} from '@medledger/client';
import { generateIdentity, type Identity } from '@medledger/core';
import type { Hex } from 'viem';
import { startTestConsortium, type TestGateway } from './helpers/gateway.ts';
import { labResult } from './helpers/records.ts';

const gateways: TestGateway[] = [];
let doctor: GatewayClient;
let patient: GatewayClient;
let previous: Identity;
let recordId: Hex;

before(async () => {
  const consortium = await startTestConsortium({ hospitals: 2, threshold: 2 });
  gateways.push(...consortium.gateways);
  const { admins } = consortium;

  doctor = createGatewayClient({ url: gateways[0]!.url, identity: generateIdentity() });
  await admins[0]!.addMember({
    organisationId: 1,
    member: doctor.address,
    role: 'doctor',
    encryptionKey: doctor.identity.encryption.publicKey,
  });
  patient = createGatewayClient({ url: gateways[0]!.url, identity: generateIdentity() });
  await patient.registerPatient({ organisationId: 1 });
  await patient.grantConsent({
    grantee: doctor.address,
    categories: ['lab'],
    actions: ['read', 'append'],
    expiresInSeconds: 3600,
  });
  ({ recordId } = await doctor.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: labResult(),
  }));
  previous = patient.identity;
});

after(async () => {
  for (const gateway of gateways) await gateway.stop().catch(() => undefined);
});

test('after a rotation, both custodians re-seal their shares of an earlier record to the new key', async () => {
  const next = newPatientKeys(patient);
  await rotateKey(patient, next);
  const rotated = createGatewayClient({ url: gateways[0]!.url, identity: next });
  const answer = await rotated.accessRecord(recordId);
  assert.equal(answer.sealedKey, null);
  assert.equal(typeof answer.sealedShare?.share, 'number', 'a share, re-sealed to the new key');
  assert.deepEqual((await rotated.readRecord(recordId)).resource, labResult());
  assert.deepEqual(await keepRecordsReadable(previous, rotated), {
    readable: [recordId],
    reencrypted: [],
    unreadable: [],
  });
  // The doctor's grant still holds.
  assert.deepEqual((await doctor.readRecord(recordId)).resource, labResult());

  // A record written after the rotation is sealed to the new key: the patient needs no custodian.
  const doctorNow = createGatewayClient({ url: gateways[0]!.url, identity: doctor.identity });
  const later = await doctorNow.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: labResult('later'),
  });
  await gateways[1]!.stop();
  const alone = await rotated.accessRecord(later.recordId);
  assert.equal(alone.sealedShare, null, 'no share needed');
  assert.deepEqual((await rotated.readRecord(later.recordId)).resource, labResult('later'));
});
