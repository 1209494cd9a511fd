/** The second-factor actions (TOTP for a patient's approvals) against a real gateway. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  confirmOtp,
  disableOtp,
  type GatewayClient,
  grantConsent,
  otpStatus,
  startOtpEnrolment,
} from '@medledger/client';
import { AccessDeniedError, ConflictError } from '@medledger/core';
import { TOTP, URI } from 'otpauth';
import {
  type Consortium,
  foundConsortium,
  newMember,
  newPatient,
  rejectsWith,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

/** The authenticator app: codes of the enrolled secret, now or `offsetSeconds` away. */
function authenticator(uri: string) {
  const totp = URI.parse(uri);
  assert.ok(totp instanceof TOTP);
  const code = (offsetSeconds = 0) => totp.generate({ timestamp: Date.now() + offsetSeconds * 1000 });
  /** A code valid at no step near now. */
  const wrong = () => {
    const near = new Set([code(-30), code(), code(30)]);
    let guess = 0;
    while (near.has(String(guess).padStart(6, '0'))) guess++;
    return String(guess).padStart(6, '0');
  };
  return { code, wrong };
}

describe('second-factor actions', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let doctor: GatewayClient;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    doctor = await newMember(gateway.url, consortium);
  });
  after(() => gateway.stop());

  const grantToDoctor = (patient: GatewayClient, otp?: string) =>
    grantConsent(patient, {
      grantee: doctor.address,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds: 600,
      ...(otp ? { otp } : {}),
    });

  it('otpStatus and startOtpEnrolment: an enrolment is pending until confirmed', async () => {
    const patient = await newPatient(gateway.url, consortium);
    assert.deepEqual(await otpStatus(patient), {
      enabled: false,
      pending: false,
      homeRelayOnly: false,
      homeGateway: true,
    });
    const { uri, homeGateway } = await startOtpEnrolment(patient);
    assert.equal(homeGateway, true);
    assert.match(uri, /^otpauth:\/\/totp\/.*secret=[A-Z2-7]+/);
    assert.equal((await otpStatus(patient)).pending, true);
    // Until confirmed, approvals need no code.
    assert.ok((await grantToDoctor(patient)).grantId > 0);
  });

  it('confirmOtp: turns the code on with a valid code and binds grants to the home gateway', async () => {
    const patient = await newPatient(gateway.url, consortium);
    const { code, wrong } = authenticator((await startOtpEnrolment(patient)).uri);
    await rejectsWith(confirmOtp(patient, wrong()), AccessDeniedError, 'otp_wrong');
    assert.deepEqual(await confirmOtp(patient, code()), {
      enabled: true,
      pending: false,
      homeRelayOnly: true,
      homeGateway: true,
    });
    await rejectsWith(startOtpEnrolment(patient), ConflictError, 'otp_already_enabled');
    // From now on, an approval needs the code.
    await rejectsWith(grantToDoctor(patient), AccessDeniedError, 'otp_required');
    assert.ok((await grantToDoctor(patient, code(30))).grantId > 0);
  });

  it('confirmOtp: without binding the home gateway, when asked', async () => {
    const patient = await newPatient(gateway.url, consortium);
    const { code } = authenticator((await startOtpEnrolment(patient)).uri);
    const status = await confirmOtp(patient, code(), { bindHomeGateway: false });
    assert.deepEqual([status.enabled, status.homeRelayOnly], [true, false]);
  });

  it('disableOtp: turns the code off with a valid code and lifts the home-gateway rule', async () => {
    const patient = await newPatient(gateway.url, consortium);
    const { code, wrong } = authenticator((await startOtpEnrolment(patient)).uri);
    await confirmOtp(patient, code());
    await rejectsWith(disableOtp(patient, wrong()), AccessDeniedError, 'otp_wrong');
    assert.deepEqual(await disableOtp(patient, code(30)), {
      enabled: false,
      pending: false,
      homeRelayOnly: false,
      homeGateway: true,
    });
    assert.ok((await grantToDoctor(patient)).grantId > 0);
  });
});
