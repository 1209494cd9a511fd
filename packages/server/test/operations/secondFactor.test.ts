/** The second factor operations, called without HTTP on a real gateway (anvil + SQLite). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { MedledgerError } from '@medledger/core';
import { TOTP, URI } from 'otpauth';
import {
  confirmOtp,
  disableOtp,
  secondFactorStatus,
  startOtpEnrolment,
} from '../../src/operations/secondFactor.ts';
import { type Consortium, foundConsortium, newMember, newPatient, signAction } from '../helpers/actors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { sessionOf } from '../helpers/sessions.ts';

/** The authenticator app: codes of the enrolled secret, now or `offsetSeconds` away. */
function authenticator(uri: string) {
  const totp = URI.parse(uri);
  assert.ok(totp instanceof TOTP);
  return (offsetSeconds = 0) => totp.generate({ timestamp: Date.now() + offsetSeconds * 1000 });
}

/** A six-digit code that is none of the codes accepted now (the current step and one either side). */
function wrongCode(code: (offsetSeconds?: number) => string): string {
  const accepted = new Set([code(-30), code(), code(30)]);
  for (let candidate = 0; ; candidate++) {
    const text = String(candidate).padStart(6, '0');
    if (!accepted.has(text)) return text;
  }
}

describe('second factor operations', () => {
  let gateway: TestGateway;
  let consortium: Consortium;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
  });
  after(() => gateway.stop());

  async function enrolledPatient() {
    const patient = await newPatient(gateway.url, consortium);
    const session = sessionOf(patient);
    const { uri, homeGateway } = await startOtpEnrolment(gateway.services, session);
    assert.equal(homeGateway, true);
    return { patient, session, code: authenticator(uri) };
  }

  const homeRelay = (patient: GatewayClient, enabled: boolean) =>
    signAction(gateway.url, patient.identity, 'consents', 'SetHomeRelayOnly', {
      patient: patient.address,
      enabled,
    });

  it('enrols, turns on with a first valid code and binds the grants to the home gateway', async () => {
    const patient = await newPatient(gateway.url, consortium);
    const session = sessionOf(patient);
    assert.deepEqual(await secondFactorStatus(gateway.services, session), {
      enabled: false,
      pending: false,
      homeRelayOnly: false,
      homeGateway: true,
    });
    const { uri } = await startOtpEnrolment(gateway.services, session);
    assert.match(uri, /^otpauth:\/\/totp\/.*secret=[A-Z2-7]+/);
    assert.equal((await secondFactorStatus(gateway.services, session)).pending, true);
    const code = authenticator(uri);
    assert.deepEqual(
      await confirmOtp(gateway.services, session, {
        code: code(),
        homeRelay: await homeRelay(patient, true),
      }),
      { enabled: true, pending: false, homeRelayOnly: true, homeGateway: true },
    );
    await assert.rejects(startOtpEnrolment(gateway.services, session), {
      code: 'conflict',
      reason: 'otp_already_enabled',
    });
    await assert.rejects(confirmOtp(gateway.services, session, { code: code(30) }), {
      code: 'conflict',
      reason: 'otp_already_enabled',
    });
  });

  it('refuses a wrong code with the tries left (staying pending), a reused one, and a missing one', async () => {
    const { session, code } = await enrolledPatient();
    await assert.rejects(confirmOtp(gateway.services, session, { code: wrongCode(code) }), {
      code: 'access_denied',
      reason: 'otp_wrong',
      fields: { attemptsLeft: 4 },
    });
    assert.equal((await secondFactorStatus(gateway.services, session)).enabled, false);
    const current = code();
    await confirmOtp(gateway.services, session, { code: current });
    await assert.rejects(disableOtp(gateway.services, session, { code: current }), {
      code: 'access_denied',
      reason: 'otp_code_used',
      // The accepted code cleared the earlier failure.
      fields: { attemptsLeft: 4 },
    });
    await assert.rejects(gateway.services.secondFactor.requireCode(session.address, undefined), {
      code: 'access_denied',
      reason: 'otp_required',
    });
  });

  it('locks after five refused codes, saying until when (unix seconds), even for the right code', async () => {
    const { session, code } = await enrolledPatient();
    await confirmOtp(gateway.services, session, { code: code() });
    const wrong = wrongCode(code);
    const firstFailure = Math.floor(Date.now() / 1000);
    for (let attempt = 1; attempt < 5; attempt++) {
      await assert.rejects(disableOtp(gateway.services, session, { code: wrong }), { reason: 'otp_wrong' });
    }
    for (const attempt of [wrong, code(30)]) {
      await assert.rejects(disableOtp(gateway.services, session, { code: attempt }), (error: unknown) => {
        assert.ok(error instanceof MedledgerError);
        assert.equal(error.code, 'rate_limited');
        assert.equal(error.reason, 'otp_locked');
        const lockedUntil = Number(error.fields?.lockedUntil);
        assert.ok(lockedUntil >= firstFailure + 15 * 60 && lockedUntil <= firstFailure + 15 * 60 + 60);
        return true;
      });
    }
    assert.equal((await secondFactorStatus(gateway.services, session)).enabled, true);
  });

  it('turns off with a valid code and lifts the home-gateway rule', async () => {
    const { patient, session, code } = await enrolledPatient();
    await confirmOtp(gateway.services, session, { code: code(), homeRelay: await homeRelay(patient, true) });
    assert.deepEqual(
      await disableOtp(gateway.services, session, {
        code: code(30),
        homeRelay: await homeRelay(patient, false),
      }),
      { enabled: false, pending: false, homeRelayOnly: false, homeGateway: true },
    );
    await assert.rejects(disableOtp(gateway.services, session, { code: code(30) }), {
      code: 'not_found',
      reason: 'otp_not_enabled',
    });
  });

  it('is for registered patients only, and needs an enrolment to confirm', async () => {
    const doctor = sessionOf(await newMember(gateway.url, consortium));
    await assert.rejects(startOtpEnrolment(gateway.services, doctor), {
      code: 'access_denied',
      reason: 'not_a_patient',
    });
    await assert.rejects(confirmOtp(gateway.services, doctor, { code: '123456' }), {
      code: 'not_found',
      reason: 'otp_not_enrolled',
    });
  });
});
