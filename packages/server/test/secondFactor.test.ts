/** A TOTP second factor for patients' approvals, checked by the gateway and bound to it on chain. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { MedledgerError } from '@medledger/core';
import { writeDeployment } from '@medledger/ledger-node';
import { TOTP, URI } from 'otpauth';
import {
  type Consortium,
  foundConsortium,
  newMember,
  newPatient,
  signAction,
  signIn,
} from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';

/** The authenticator app: codes of the enrolled secret, now or `offsetSeconds` away. */
function authenticator(uri: string) {
  const totp = URI.parse(uri);
  assert.ok(totp instanceof TOTP);
  return (offsetSeconds = 0) => totp.generate({ timestamp: Date.now() + offsetSeconds * 1000 });
}

describe('second factor for approvals (TOTP)', () => {
  let gateway: TestGateway;
  let otherGateway: TestGateway;
  let consortium: Consortium;
  let doctor: GatewayClient;

  before(async () => {
    gateway = await startTestGateway();
    const deploymentFile = join(gateway.dataDir, 'shared-deployment.json');
    await writeDeployment(deploymentFile, gateway.deployment);
    otherGateway = await startTestGateway({ rpcUrl: gateway.rpcUrl, deploymentFile });
    consortium = await foundConsortium(gateway.url);
    doctor = await newMember(gateway.url, consortium);
  });
  after(async () => {
    await otherGateway.stop();
    await gateway.stop();
  });

  /** A patient of the consortium's hospital (whose gateway is `gateway`) with its code turned on. */
  async function patientWithCode() {
    const patient = await newPatient(gateway.url, consortium);
    const { uri, homeGateway } = await patient.startOtpEnrolment();
    assert.equal(homeGateway, true);
    assert.match(uri, /^otpauth:\/\/totp\/.*secret=[A-Z2-7]+/);
    const code = authenticator(uri);
    return { patient, code };
  }

  const grantToDoctor = (patient: GatewayClient, otp?: string) =>
    patient.grantConsent({
      grantee: doctor.address,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds: 600,
      ...(otp ? { otp } : {}),
    });

  it('turns on only with a first valid code, and binds the patient’s grants to its home gateway', async () => {
    const { patient, code } = await patientWithCode();
    assert.deepEqual(await patient.otpStatus(), {
      enabled: false,
      pending: true,
      homeRelayOnly: false,
      homeGateway: true,
    });
    // Until confirmed, approvals need no code.
    await grantToDoctor(patient);
    await assert.rejects(patient.confirmOtp(code(-120)), {
      code: 'access_denied',
      reason: 'otp_wrong',
      message: /wrong or expired/,
    });
    assert.equal((await patient.otpStatus()).enabled, false);
    assert.deepEqual(await patient.confirmOtp(code()), {
      enabled: true,
      pending: false,
      homeRelayOnly: true,
      homeGateway: true,
    });
    await assert.rejects(patient.startOtpEnrolment(), { code: 'conflict' });
  });

  it('stays pending when the binding to the home gateway fails, and can be confirmed again', async () => {
    const { patient, code } = await patientWithCode();
    const forged = await signAction(gateway.url, patient.identity, 'consents', 'SetHomeRelayOnly', {
      patient: patient.address,
      enabled: false,
    });
    const refused = await call(gateway.url, 'POST', '/api/otp/confirmation', {
      token: await signIn(gateway.url, patient.identity),
      body: { code: code(), homeRelay: forged },
    });
    assert.match(assertError(refused, 400, 'invalid_input'), /The signature does not come from/);
    assert.deepEqual(await patient.otpStatus(), {
      enabled: false,
      pending: true,
      homeRelayOnly: false,
      homeGateway: true,
    });
    assert.equal((await patient.confirmOtp(code(30))).enabled, true);
  });

  it('approves an access request with the right code; refuses a missing, wrong, reused or expired one', async () => {
    const { patient, code } = await patientWithCode();
    await patient.confirmOtp(code());
    const ask = async () =>
      (await doctor.requestAccess({ patient: patient.address, categories: ['lab'], reason: 'follow-up' }))
        .requestId;
    const requestId = await ask();
    const approve = (otp?: string) =>
      patient.approveAccessRequest(requestId, { expiresInSeconds: 600, ...(otp ? { otp } : {}) });

    await assert.rejects(approve(), {
      code: 'access_denied',
      reason: 'otp_required',
      message: /one-time code/,
    });
    const wrong = String((Number(code(30)) + 1) % 1_000_000).padStart(6, '0');
    await assert.rejects(approve(wrong === code(30) ? '000000' : wrong), {
      code: 'access_denied',
      reason: 'otp_wrong',
      message: /wrong or expired/,
    });
    await assert.rejects(approve(code(-120)), {
      code: 'access_denied',
      reason: 'otp_wrong',
      message: /wrong or expired/,
    });
    // The code of the next 30-second step is accepted (clock drift), and then spent.
    const next = code(30);
    const approved = await approve(next);
    assert.ok(approved.grantId);
    assert.equal((await patient.accessRequest(requestId)).status, 'approved');
    const second = await ask();
    await assert.rejects(patient.approveAccessRequest(second, { expiresInSeconds: 600, otp: next }), {
      code: 'access_denied',
      reason: 'otp_code_used',
      message: /already used/,
    });
    // So is the current one: a step earlier than one already accepted.
    await assert.rejects(patient.approveAccessRequest(second, { expiresInSeconds: 600, otp: code() }), {
      code: 'access_denied',
      message: /already used/,
    });
  });

  it('locks approvals after five wrong codes, and says until when', async () => {
    const { patient, code } = await patientWithCode();
    await patient.confirmOtp(code());
    const right = code(30);
    const wrong = right === '123456' ? '654321' : '123456';
    for (let attempt = 1; attempt <= 4; attempt++) {
      await assert.rejects(grantToDoctor(patient, wrong), {
        code: 'access_denied',
        reason: 'otp_wrong',
        fields: { attemptsLeft: 5 - attempt },
        message: new RegExp(`${5 - attempt} more wrong code`),
      });
    }
    // The error body carries when approvals unlock (unix seconds), as the web app reads it.
    const lockedUntil = (error: unknown) => {
      assert.ok(error instanceof MedledgerError);
      assert.deepEqual([error.code, error.reason], ['rate_limited', 'otp_locked']);
      assert.match(error.shortMessage, /locked until/);
      const until = Number(error.fields?.lockedUntil);
      assert.ok(until > Date.now() / 1000 + 14 * 60 && until <= Date.now() / 1000 + 15 * 60 + 1);
      return true;
    };
    await assert.rejects(grantToDoctor(patient, wrong), lockedUntil);
    await assert.rejects(grantToDoctor(patient, right), lockedUntil);
    await assert.rejects(patient.disableOtp(right), { code: 'rate_limited' });
  });

  it('cannot be skipped by relaying the patient’s signed grant through another gateway', async () => {
    const { patient, code } = await patientWithCode();
    await patient.confirmOtp(code());
    const elsewhere = createGatewayClient({ url: otherGateway.url, identity: patient.identity });
    await assert.rejects(grantToDoctor(elsewhere), {
      code: 'access_denied',
      message: /is not the gateway of patient/,
    });
    // Revoking stays possible anywhere.
    const { grantId } = await grantToDoctor(patient, code(30));
    await elsewhere.revokeConsent(grantId);
  });

  it('turned off (with a code), needs no code and frees the patient’s grants from its home gateway', async () => {
    const { patient, code } = await patientWithCode();
    await patient.confirmOtp(code());
    await assert.rejects(patient.disableOtp('000000'), { code: 'access_denied' });
    assert.deepEqual(await patient.disableOtp(code(30)), {
      enabled: false,
      pending: false,
      homeRelayOnly: false,
      homeGateway: true,
    });
    await grantToDoctor(patient);
    const elsewhere = createGatewayClient({ url: otherGateway.url, identity: patient.identity });
    await grantToDoctor(elsewhere);
  });

  it('is for registered patients only', async () => {
    await assert.rejects(doctor.startOtpEnrolment(), {
      code: 'access_denied',
      reason: 'not_a_patient',
      message: /registered patient/,
    });
    await assert.rejects(doctor.confirmOtp('123456', { bindHomeGateway: false }), { code: 'not_found' });
  });
});
