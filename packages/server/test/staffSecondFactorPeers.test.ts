/**
 * The staff second factor at other organisations' gateways: two hospitals' gateways on one chain
 * (the "lab" one also runs the chain), record keys split 2 of 2. The hospital's policy is
 * `privileged` and its admin enrolled; the lab gateway, which keeps neither, asks the hospital's
 * gateway whether a member needs a code and, if so, admits it only with the hospital gateway's
 * signed attestation. Codes are single-use per 30-second step: the admin gives two here (its
 * confirmation and one sign-in).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import {
  accountOf,
  generateIdentity,
  type Identity,
  type StaffSecondFactorAttestation,
  staffAttestationTypedData,
} from '@medledger/core';
import { TOTP, URI } from 'otpauth';
import type { Hex, LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { siweMessage } from './helpers/actors.ts';
import { eventually } from './helpers/emergencies.ts';
import { startTestConsortium, type TestGateway } from './helpers/gateway.ts';
import { type ApiResponse, assertError, call } from './helpers/http.ts';

function authenticator(uri: string) {
  const totp = URI.parse(uri);
  assert.ok(totp instanceof TOTP);
  return (offsetSeconds = 0) => totp.generate({ timestamp: Date.now() + offsetSeconds * 1000 });
}

interface ErrorAnswer {
  error: { reason: string; fields?: Record<string, unknown> };
}

function assertRefusal(response: ApiResponse, status: number, code: string, reason: string) {
  assertError(response, status, code);
  const { error } = response.body as ErrorAnswer;
  assert.equal(error.reason, reason, response.text);
  return error.fields ?? {};
}

/** Signs in by hand at `url`, with an attestation or none. */
async function signInAt(
  url: string,
  identity: Identity,
  attestation?: StaffSecondFactorAttestation,
): Promise<ApiResponse> {
  const message = await siweMessage(url, identity);
  const signature = await accountOf(identity).signMessage({ message });
  return call(url, 'POST', '/api/auth/session', {
    body: { message, signature, ...(attestation ? { attestation } : {}) },
  });
}

/** A gateway's relayer account, from its key file. */
async function relayerOf(gateway: TestGateway): Promise<LocalAccount> {
  const file = JSON.parse(await readFile(join(gateway.dataDir, 'keys', 'relayer.json'), 'utf8'));
  return privateKeyToAccount(file.privateKey as Hex);
}

const observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] },
  valueQuantity: { value: 5.4, unit: 'mmol/L' },
};

describe('staff second factor at other organisations’ gateways (attestations)', () => {
  let gateways: TestGateway[];
  let lab: TestGateway;
  let hospital: TestGateway;
  const hospitalId = 2;
  let hospitalAdmin: GatewayClient;
  /** The hospital's admin signed in at the hospital's gateway with its code. */
  let adminAtHome: GatewayClient;
  let doctor: GatewayClient;
  let chainId: number;

  before(async () => {
    // Hospital 1's gateway runs the chain: it stays up; hospital 2's is the one stopped at the end.
    const consortium = await startTestConsortium({ hospitals: 2, threshold: 2 });
    gateways = consortium.gateways;
    [lab, hospital] = [gateways[0]!, gateways[1]!];
    hospitalAdmin = consortium.admins[1]!;
    chainId = hospital.chainId;
    const { uri } = await hospitalAdmin.startStaffOtpEnrolment();
    const code = authenticator(uri);
    await hospitalAdmin.confirmStaffOtp(code());
    await hospitalAdmin.setStaffOtpPolicy(hospitalId, 'privileged');
    adminAtHome = createGatewayClient({
      url: hospital.url,
      identity: hospitalAdmin.identity,
      // The confirmation spent this step's code: the next step's.
      otp: () => code(30),
    });
    doctor = createGatewayClient({ url: hospital.url, identity: generateIdentity() });
    await hospitalAdmin.addMember({
      organisationId: hospitalId,
      member: doctor.address,
      role: 'doctor',
      encryptionKey: doctor.identity.encryption.publicKey,
    });
  });
  after(async () => {
    for (const gateway of gateways ?? []) await gateway.stop().catch(() => undefined);
  });

  it('refuses the enrolled admin at the other gateway on its key alone', async () => {
    const fields = assertRefusal(
      await signInAt(lab.url, hospitalAdmin.identity),
      401,
      'unauthenticated',
      'second_factor_attestation_required',
    );
    assert.equal(fields.organisationId, hospitalId);
    // The hospital's gateway answers anyone whether a member of its own needs a code, no one else's.
    const asked = await call(hospital.url, 'GET', `/api/staff-otp/requirement/${hospitalAdmin.address}`);
    assert.deepEqual(asked.body, { required: true });
    const notHosted = await call(lab.url, 'GET', `/api/staff-otp/requirement/${hospitalAdmin.address}`);
    assertRefusal(notHosted, 404, 'not_found', 'not_hosted_member');
  });

  it('admits it with the attestation its own gateway gives after a sign-in with its code', async () => {
    const attestation = await adminAtHome.staffAttestation();
    const session = adminAtHome.currentSession();
    assert.ok(session);
    assert.equal(attestation.message.member, hospitalAdmin.address);
    assert.equal(attestation.message.organisationId, hospitalId);
    assert.equal(attestation.message.expiresAt, Math.floor(session.expiresAt / 1000));
    const admitted = await signInAt(lab.url, hospitalAdmin.identity, attestation);
    assert.equal(admitted.status, 200, admitted.text);
    // Only the gateway hosting the organisation attests.
    const doctorAtLab = createGatewayClient({ url: lab.url, identity: doctor.identity });
    await assert.rejects(doctorAtLab.staffAttestation(), {
      code: 'not_found',
      reason: 'organisation_not_hosted',
    });
    // Nor does another gateway enrol a code it would never look at.
    await assert.rejects(doctorAtLab.startStaffOtpEnrolment(), {
      code: 'not_found',
      reason: 'organisation_not_hosted',
    });
  });

  it('refuses an expired attestation, one signed by another key, and one for another member', async () => {
    const now = Math.floor(Date.now() / 1000);
    const hospitalRelayer = await relayerOf(hospital);
    const sign = async (account: LocalAccount, message: StaffSecondFactorAttestation['message']) => ({
      message,
      signature: await account.signTypedData(staffAttestationTypedData(chainId, message)),
    });
    const valid = {
      member: hospitalAdmin.address,
      organisationId: hospitalId,
      issuedAt: now,
      expiresAt: now + 3600,
    };
    const cases: [StaffSecondFactorAttestation, string][] = [
      [await sign(hospitalRelayer, { ...valid, issuedAt: now - 7200, expiresAt: now - 3600 }), 'expired'],
      [await sign(await relayerOf(lab), valid), 'wrong_signer'],
      [await sign(privateKeyToAccount(generatePrivateKey()), valid), 'wrong_signer'],
      [await sign(hospitalRelayer, { ...valid, member: doctor.address }), 'wrong_member'],
      [await sign(hospitalRelayer, { ...valid, organisationId: 1 }), 'wrong_organisation'],
    ];
    for (const [attestation, problem] of cases) {
      const fields = assertRefusal(
        await signInAt(lab.url, hospitalAdmin.identity, attestation),
        401,
        'unauthenticated',
        'second_factor_attestation_invalid',
      );
      assert.equal(fields.problem, problem);
    }
    // The hospital's real attestation for its admin is of no use to another member.
    const real = await adminAtHome.staffAttestation();
    assert.deepEqual((await call(hospital.url, 'GET', `/api/staff-otp/requirement/${doctor.address}`)).body, {
      required: false,
    });
    const doctorWithAdmins = await signInAt(lab.url, doctor.identity, real);
    assert.equal(
      doctorWithAdmins.status,
      200,
      'not required of the doctor: the attestation is not looked at',
    );
  });

  it('admits a member its gateway requires no code of without an attestation', async () => {
    const answer = await signInAt(lab.url, doctor.identity);
    assert.equal(answer.status, 200, answer.text);
  });

  it('lets an enrolled admin read a 2-of-2 record through the client, gathering the other share with the attestation', async () => {
    // The founding admin's member key is the organisation's own: a second admin, with its own key,
    // enrolled by the first, reads (its first code, at sign-in, turns its factor on).
    const reader = generateIdentity();
    await hospitalAdmin.addMember({
      organisationId: hospitalId,
      member: reader.address,
      role: 'admin',
      encryptionKey: reader.encryption.publicKey,
    });
    const { uri } = await hospitalAdmin.enrolMemberOtp(hospitalId, reader.address);
    const readerCode = authenticator(uri);
    const readerAtHome = createGatewayClient({
      url: hospital.url,
      identity: reader,
      otp: () => readerCode(),
    });
    const patient = createGatewayClient({ url: hospital.url, identity: generateIdentity() });
    await patient.registerPatient({ organisationId: hospitalId });
    for (const grantee of [doctor.address, reader.address]) {
      await patient.grantConsent({
        grantee,
        categories: ['lab'],
        actions: grantee === doctor.address ? ['read', 'append'] : ['read'],
        expiresInSeconds: 3600,
      });
    }
    const { recordId } = await doctor.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: observation,
    });
    // Its key alone does not open the lab's custodian share.
    const keyAlone = createGatewayClient({ url: lab.url, identity: reader });
    await assert.rejects(keyAlone.accessRecord(recordId), { reason: 'second_factor_attestation_required' });
    const { resource } = await readerAtHome.readRecord(recordId);
    assert.deepEqual(resource, observation);
    assert.equal((await readerAtHome.staffOtpStatus()).enabled, true);
  });

  it('fails closed when the hospital’s gateway cannot be asked', async () => {
    const neverAsked = generateIdentity();
    await hospitalAdmin.addMember({
      organisationId: hospitalId,
      member: neverAsked.address,
      role: 'doctor',
      encryptionKey: neverAsked.encryption.publicKey,
    });
    await hospital.stop();
    assertRefusal(await signInAt(lab.url, neverAsked), 503, 'ledger_unavailable', 'home_gateway_unavailable');
    // The lab keeps a home gateway's answer a minute: once the admin's is gone, it is refused too.
    await eventually(
      async () => {
        const answer = await signInAt(lab.url, hospitalAdmin.identity);
        return answer.status === 503 ? answer : undefined;
      },
      'the admin’s cached requirement to end',
      75_000,
      1_000,
    ).then((answer) => assertRefusal(answer, 503, 'ledger_unavailable', 'home_gateway_unavailable'));
    // Patients are not affected.
    assert.equal((await signInAt(lab.url, generateIdentity())).status, 200);
  });
});
