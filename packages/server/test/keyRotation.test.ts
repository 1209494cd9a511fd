/**
 * Key rotation through a real gateway and chain (one organisation, its gateway the custodian of
 * every record's whole key): the patient moves to new keys and keeps its records and consents; the
 * old key can neither sign in nor sign on chain; new records are sealed to the new key only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createGatewayClient,
  type GatewayClient,
  keepRecordsReadable,
  newPatientKeys,
  rotateKey,
  verifyLedger,
} from '@medledger/client';
import {
  AccessDeniedError,
  accountOf,
  base64urlToBytes,
  dataKeyInfo,
  type Envelope,
  generateIdentity,
  hexToBytes,
  type Identity,
  IntegrityError,
  identityFromKeys,
  NotFoundError,
  openWithSecretKey,
  parseEnvelope,
  signerAddressOf,
  UnauthenticatedError,
} from '@medledger/core';
import type { Hex } from 'viem';
import {
  type Consortium,
  foundConsortium,
  newMember,
  newPatient,
  signAction,
  signIn,
  siweMessage,
} from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';
import { labResult, medication } from './helpers/records.ts';

const allergy = {
  resourceType: 'AllergyIntolerance',
  // R4 invariant ait-1: a clinical status unless entered in error.
  clinicalStatus: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
  },
  patient: { reference: 'Patient/example' },
  code: { text: 'Penicillin' },
};

let gateway: TestGateway;
let consortium: Consortium;
let doctor: GatewayClient;
let nurse: GatewayClient;
let patient: GatewayClient;
let previous: Identity;
let rotated: GatewayClient;
let nurseGrant: number;
const records: { recordId: Hex; resource: unknown }[] = [];

before(async () => {
  gateway = await startTestGateway();
  consortium = await foundConsortium(gateway.url);
  [doctor, nurse, patient] = await Promise.all([
    newMember(gateway.url, consortium),
    newMember(gateway.url, consortium, 'nurse'),
    newPatient(gateway.url, consortium),
  ]);
  await patient.grantConsent({
    grantee: doctor.address,
    categories: ['lab', 'medication'],
    actions: ['read', 'append'],
    expiresInSeconds: 3600,
  });
  ({ grantId: nurseGrant } = await patient.grantConsent({
    grantee: nurse.address,
    categories: ['lab'],
    actions: ['read'],
    expiresInSeconds: 3600,
  }));
  for (const [author, category, resource] of [
    [doctor, 'lab', labResult()],
    [doctor, 'medication', medication()],
    [patient, 'allergy', allergy],
  ] as const) {
    const { recordId } = await author.addRecord({ patient: patient.address, category, resource });
    records.push({ recordId, resource });
  }
  await patient.signIn();
  previous = patient.identity;
  const next = newPatientKeys(patient);
  await rotateKey(patient, next);
  rotated = createGatewayClient({ url: gateway.url, identity: next });
});

after(() => gateway?.stop());

describe('key rotation', () => {
  it('keeps the patient’s id: the new key signs in as the patient and reads every earlier record', async () => {
    assert.equal(rotated.address, patient.address);
    assert.notEqual(signerAddressOf(rotated.identity), signerAddressOf(previous));
    const me = await rotated.me();
    assert.equal(me.address.toLowerCase(), patient.address);
    assert.equal(me.patient?.encryptionKey, rotated.identity.encryption.publicKey);
    for (const { recordId, resource } of records) {
      assert.deepEqual((await rotated.readRecord(recordId)).resource, resource);
    }
    assert.deepEqual(await keepRecordsReadable(previous, rotated), {
      readable: records.map((r) => r.recordId),
      reencrypted: [],
      unreadable: [],
    });
  });

  it('refuses the old key at sign-in, ends its sessions, and the chain refuses its signatures', async () => {
    // The session the old key opened before rotating has ended.
    await assert.rejects(patient.listConsents(), UnauthenticatedError);
    const fresh = createGatewayClient({ url: gateway.url, identity: previous });
    await assert.rejects(fresh.signIn(), (error: unknown) => {
      assert.ok(error instanceof UnauthenticatedError, String(error));
      assert.match(error.shortMessage, /rotated out/);
      return true;
    });
    // The new key signs in as the patient only, not as its own address.
    const ownAddress = identityFromKeys({
      signingKey: rotated.identity.signingKey,
      encryptionSecretKey: rotated.identity.encryption.secretKey,
    });
    const message = await siweMessage(gateway.url, ownAddress);
    const signature = await accountOf(ownAddress).signMessage({ message });
    const refused = await call(gateway.url, 'POST', '/api/auth/session', { body: { message, signature } });
    assert.match(assertError(refused, 401, 'unauthenticated'), /is a key of patient/);

    // An action signed by the old key, relayed in the new key's session, is refused on chain.
    const token = await signIn(gateway.url, rotated.identity);
    const revocation = { patient: patient.address, grantId: BigInt(nurseGrant) };
    const signed = await signAction(gateway.url, rotated.identity, 'consents', 'Revoke', revocation, {
      signer: previous,
    });
    const response = await call(gateway.url, 'POST', `/api/consents/${nurseGrant}/revocation`, {
      token,
      body: { patient: patient.address, ...signed },
    });
    assert.match(assertError(response, 400, 'invalid_input'), /The signature does not come from/);
  });

  it('keeps consents: grantees still read; the new key revokes and grants', async () => {
    assert.deepEqual((await doctor.readRecord(records[0]!.recordId)).resource, labResult());
    assert.deepEqual((await nurse.readRecord(records[0]!.recordId)).resource, labResult());
    await rotated.revokeConsent(nurseGrant);
    await assert.rejects(nurse.readRecord(records[0]!.recordId), AccessDeniedError);
    await rotated.grantConsent({
      grantee: nurse.address,
      categories: ['medication'],
      actions: ['read'],
      expiresInSeconds: 3600,
    });
    assert.deepEqual((await nurse.readRecord(records[1]!.recordId)).resource, medication());
  });

  it('seals new records to the new key only, and the ledger still verifies', async () => {
    // A client started after the rotation (a client caches the patient's keys it has looked up).
    const doctorNow = createGatewayClient({ url: gateway.url, identity: doctor.identity });
    const byDoctor = await doctorNow.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: labResult('HbA1c 6.1%'),
    });
    const byPatient = await rotated.addRecord({
      patient: patient.address,
      category: 'allergy',
      resource: allergy,
    });
    for (const { recordId } of [byDoctor, byPatient]) {
      const answer = await rotated.accessRecord(recordId);
      assert.equal(answer.sealedKey, null, 'the patient opens its own slot');
      const envelope = parseEnvelope(base64urlToBytes(answer.envelope));
      assert.equal((await openPatientSlot(envelope, rotated.identity)).length, 32);
      await assert.rejects(openPatientSlot(envelope, previous), IntegrityError);
      await rotated.readRecord(recordId);
    }
    // Records the patient signed with either key verify against the key in force when anchored.
    const report = await verifyLedger({ gatewayUrl: gateway.url });
    assert.deepEqual(report.problems, []);
    assert.equal(report.checkedRecords, records.length + 2);
  });

  it('re-encrypts under the new key the records no custodian holds', async () => {
    // A patient registered with no organisation: its records are sealed to itself only.
    const solo = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
    await solo.registerPatient({ organisationId: 0 });
    const { recordId } = await solo.addRecord({
      patient: solo.address,
      category: 'allergy',
      resource: allergy,
    });
    const before = solo.identity;
    const next = newPatientKeys(solo);
    await rotateKey(solo, next);
    const after = createGatewayClient({ url: gateway.url, identity: next });
    await assert.rejects(after.readRecord(recordId), NotFoundError);
    const report = await keepRecordsReadable(before, after);
    assert.equal(report.readable.length, 0);
    assert.deepEqual(report.unreadable, []);
    assert.deepEqual(
      report.reencrypted.map((r) => r.recordId),
      [recordId],
    );
    const newRecordId = report.reencrypted[0]!.newRecordId;
    assert.deepEqual((await after.readRecord(newRecordId)).resource, allergy);
    const answer = await after.accessRecord(newRecordId);
    await assert.rejects(
      openPatientSlot(parseEnvelope(base64urlToBytes(answer.envelope)), before),
      IntegrityError,
    );
  });
});

/** Opens an envelope's patient slot with an identity's secret key, whichever key the slot names. */
function openPatientSlot(envelope: Envelope, identity: Identity): Promise<Uint8Array> {
  const slot = envelope.keys.find((key) => key.kind === 'patient')!;
  return openWithSecretKey(
    identity.encryption.secretKey,
    { enc: slot.enc, ciphertext: slot.ct },
    { info: dataKeyInfo, aad: hexToBytes(envelope.meta.recordId) },
  );
}
