/**
 * Emergency access under k-of-n custody: three hospitals, each with its own gateway, record keys
 * split 2 of 3. Each custodian gateway checks the chain for the emergency on its own and releases
 * its share of an emergency-set record, as it would under a grant, and audits it as break-glass;
 * records outside the emergency set get no share anywhere.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { AccessDeniedError, generateIdentity } from '@medledger/core';
import type { Hex } from 'viem';
import { allergy, eventually } from './helpers/emergencies.ts';
import { startTestConsortium, type TestGateway } from './helpers/gateway.ts';
import { labResult } from './helpers/records.ts';

const gateways: TestGateway[] = [];
let doctor: GatewayClient;
let patient: GatewayClient;
let allergyRecord: Hex;
let labRecord: Hex;
let emergencyId: number;

before(async () => {
  const consortium = await startTestConsortium({ hospitals: 3, threshold: 2 });
  gateways.push(...consortium.gateways);
  const { admins } = consortium;

  doctor = createGatewayClient({ url: gateways[0]!.url, identity: generateIdentity() });
  await admins[0]!.addMember({
    organisationId: 1,
    member: doctor.address,
    role: 'doctor',
    encryptionKey: doctor.identity.encryption.publicKey,
  });
  await admins[0]!.setEmergencyPrivilege(doctor.address, true);
  patient = createGatewayClient({ url: gateways[0]!.url, identity: generateIdentity() });
  await patient.registerPatient({ organisationId: 1 });
  ({ recordId: allergyRecord } = await patient.addRecord({
    patient: patient.address,
    category: 'allergy',
    resource: allergy(),
  }));
  ({ recordId: labRecord } = await patient.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: labResult(),
  }));
  ({ emergencyId } = await doctor.declareEmergency({
    patient: patient.address,
    reason: 'cannot-consent',
    justification: 'Intubated, next of kin not reachable',
  }));
});

after(async () => {
  for (const gateway of gateways) await gateway.stop().catch(() => undefined);
});

test('the member combines two custodians’ shares of an emergency-set record and reads it', async () => {
  const { resource } = await doctor.readRecord(allergyRecord);
  assert.deepEqual(resource, allergy());
});

test('every custodian releases its own share under the emergency, and audits it as break-glass', async () => {
  const shares = new Set<number>();
  for (const [index, gateway] of gateways.entries()) {
    const atCustodian = createGatewayClient({ url: gateway.url, identity: doctor.identity });
    const answer = await atCustodian.accessRecord(allergyRecord);
    assert.equal(answer.sealedKey, null, 'never the whole key');
    assert.equal(typeof answer.sealedShare?.share, 'number', `custodian ${index + 1}`);
    shares.add(answer.sealedShare!.share);
    const patientThere = createGatewayClient({ url: gateway.url, identity: patient.identity });
    const audited = await eventually(
      async () =>
        (await patientThere.audit()).events.find(
          (event) => event.recordId === allergyRecord && event.actor === doctor.address,
        ),
      `the read at custodian ${index + 1}`,
    );
    assert.deepEqual([audited.purpose, audited.reason], ['BTG', `emergency ${emergencyId}`]);
  }
  assert.equal(shares.size, 3, 'each custodian its own share');
});

test('no custodian releases a share of a record outside the emergency set', async () => {
  await assert.rejects(doctor.readRecord(labRecord), AccessDeniedError);
  for (const gateway of gateways) {
    const atCustodian = createGatewayClient({ url: gateway.url, identity: doctor.identity });
    await assert.rejects(atCustodian.accessRecord(labRecord), AccessDeniedError);
  }
});
