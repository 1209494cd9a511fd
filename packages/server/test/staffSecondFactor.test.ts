/**
 * A TOTP second factor for organisation members at sign-in, under their organisation's policy kept
 * by its gateway: a real gateway on a real chain. Codes are single-use per 30-second step, so each
 * account here gives at most two (the current step's and the next's).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { accountOf, generateIdentity, type Identity } from '@medledger/core';
import { TOTP, URI } from 'otpauth';
import {
  type Consortium,
  foundConsortium,
  newActor,
  newMember,
  newPatient,
  siweMessage,
} from './helpers/actors.ts';
import { eventually } from './helpers/emergencies.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { type ApiResponse, assertError, call } from './helpers/http.ts';

/** The authenticator app: codes of the enrolled secret, now or `offsetSeconds` away. */
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

describe('second factor for staff at sign-in (TOTP)', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let admin: GatewayClient;
  let organisationId: number;
  let adminCode: (offsetSeconds?: number) => string;
  /** Spent: its step, or an earlier one, is never accepted again (however much time passes). */
  let adminConfirmationCode: string;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    ({ admin, organisationId } = consortium);
  });
  after(() => gateway.stop());

  /** Signs in by hand, with a one-time code or none. */
  async function signInWith(identity: Identity, otp?: string): Promise<ApiResponse> {
    const message = await siweMessage(gateway.url, identity);
    const signature = await accountOf(identity).signMessage({ message });
    return call(gateway.url, 'POST', '/api/auth/session', {
      body: { message, signature, ...(otp ? { otp } : {}) },
    });
  }

  it('lets only the organisation’s admin set the policy, and not to one it could not sign in under', async () => {
    const doctor = await newMember(gateway.url, consortium);
    const patient = await newPatient(gateway.url, consortium);
    for (const caller of [doctor, patient]) {
      await assert.rejects(caller.setStaffOtpPolicy(organisationId, 'all'), {
        code: 'access_denied',
        reason: 'not_organisation_admin',
      });
      await assert.rejects(caller.organisationSecondFactors(organisationId), {
        reason: 'not_organisation_admin',
      });
    }
    assert.deepEqual(
      { ...(await admin.organisationSecondFactors(organisationId)), members: [] },
      { organisationId, policy: 'optional', isDefault: true, members: [] },
    );
    // The admin's own code is not on: a policy that requires it of admins would lock it out.
    await assert.rejects(admin.setStaffOtpPolicy(organisationId, 'privileged'), {
      code: 'conflict',
      reason: 'second_factor_enrolment_required',
    });
    // It enrols itself (the policy does not require a code yet) and confirms with a first code.
    const { uri } = await admin.startStaffOtpEnrolment();
    adminCode = authenticator(uri);
    assert.deepEqual(await admin.staffOtpStatus(), {
      organisationId,
      policy: 'optional',
      enabled: false,
      pending: true,
      required: false,
    });
    adminConfirmationCode = adminCode();
    assert.equal((await admin.confirmStaffOtp(adminConfirmationCode)).enabled, true);
    assert.deepEqual(await admin.setStaffOtpPolicy(organisationId, 'privileged'), {
      organisationId,
      policy: 'privileged',
      isDefault: false,
    });
    assert.equal((await doctor.staffOtpStatus()).required, false);
    assert.equal((await admin.staffOtpStatus()).required, true);
    await assert.rejects(patient.staffOtpStatus(), { code: 'access_denied', reason: 'not_a_member' });
  });

  it('an admin without a second factor cannot sign in once the policy requires it', async () => {
    const secondAdmin = generateIdentity();
    await admin.addMember({
      organisationId,
      member: secondAdmin.address,
      role: 'admin',
      encryptionKey: secondAdmin.encryption.publicKey,
    });
    const fields = assertRefusal(
      await signInWith(secondAdmin),
      403,
      'access_denied',
      'second_factor_enrolment_required',
    );
    assert.deepEqual(fields, { organisationId, policy: 'privileged' });
    // A code does not help without an enrolment.
    assertRefusal(
      await signInWith(secondAdmin, '123456'),
      403,
      'access_denied',
      'second_factor_enrolment_required',
    );
  });

  it('admits the enrolled admin with its current code only', async () => {
    const identity = admin.identity;
    assertRefusal(await signInWith(identity), 401, 'unauthenticated', 'otp_required');
    const wrong = adminCode() === '000000' ? '111111' : '000000';
    const wrongFields = assertRefusal(
      await signInWith(identity, wrong),
      401,
      'unauthenticated',
      'otp_invalid',
    );
    assert.equal(wrongFields.attemptsLeft, 4);
    // The code that confirmed the enrolment is spent.
    assertRefusal(await signInWith(identity, adminConfirmationCode), 401, 'unauthenticated', 'otp_invalid');
    const next = adminCode(30);
    const admitted = await signInWith(identity, next);
    assert.equal(admitted.status, 200, admitted.text);
    // The client library asks for the code when the gateway says it needs one.
    let asked = 0;
    const client = createGatewayClient({
      url: gateway.url,
      identity,
      otp: () => {
        asked++;
        return next;
      },
    });
    await assert.rejects(client.me(), { code: 'unauthenticated', reason: 'otp_invalid' });
    assert.equal(asked, 1);
  });

  it('enrolment by the admin, confirmed by the member’s first code at sign-in; then locks after five wrong codes', async () => {
    const identity = generateIdentity();
    await admin.addMember({
      organisationId,
      member: identity.address,
      role: 'admin',
      encryptionKey: identity.encryption.publicKey,
    });
    const { uri, member } = await admin.enrolMemberOtp(organisationId, identity.address);
    assert.equal(member, identity.address.toLowerCase());
    const code = authenticator(uri);
    const pending = assertRefusal(await signInWith(identity), 401, 'unauthenticated', 'otp_required');
    assert.equal(pending.enrolment, 'pending');
    const first = code();
    const confirmed = await signInWith(identity, first);
    assert.equal(confirmed.status, 200, confirmed.text);
    const status = (await admin.organisationSecondFactors(organisationId)).members.find(
      (row) => row.address === member,
    );
    assert.deepEqual(status, {
      address: member,
      role: 'admin',
      active: true,
      emergencyPrivileged: false,
      enabled: true,
      pending: false,
      required: true,
    });
    // Enrolled: the admin cannot start another enrolment over it (a reset comes first).
    await assert.rejects(admin.enrolMemberOtp(organisationId, identity.address), {
      code: 'conflict',
      reason: 'otp_already_enabled',
    });
    // Reused, then wrong until locked; once locked even a right code is refused.
    const wrong = code(30) === '000000' ? '111111' : '000000';
    assertRefusal(await signInWith(identity, first), 401, 'unauthenticated', 'otp_invalid');
    for (const left of [3, 2, 1]) {
      const fields = assertRefusal(await signInWith(identity, wrong), 401, 'unauthenticated', 'otp_invalid');
      assert.equal(fields.attemptsLeft, left);
    }
    const locked = assertRefusal(await signInWith(identity, wrong), 401, 'unauthenticated', 'otp_locked');
    const lockedUntil = Number(locked.lockedUntil);
    assert.ok(lockedUntil > Date.now() / 1000 + 14 * 60 && lockedUntil <= Date.now() / 1000 + 15 * 60 + 1);
    assertRefusal(await signInWith(identity, code(30)), 401, 'unauthenticated', 'otp_locked');
  });

  it('admits a member without the privilege without a code under privileged, and requires one under all', async () => {
    const identity = generateIdentity();
    const doctor = createGatewayClient({ url: gateway.url, identity });
    await admin.addMember({
      organisationId,
      member: identity.address,
      role: 'doctor',
      encryptionKey: identity.encryption.publicKey,
    });
    const admitted = await signInWith(identity);
    assert.equal(admitted.status, 200, admitted.text);
    const { token } = admitted.body as { token: string };
    await admin.setStaffOtpPolicy(organisationId, 'all');
    try {
      // The session it had ends: it signs in again under the new policy, and cannot without a factor.
      assertRefusal(
        await call(gateway.url, 'GET', '/api/me', { token }),
        401,
        'unauthenticated',
        'session_unknown',
      );
      assertRefusal(await signInWith(identity), 403, 'access_denied', 'second_factor_enrolment_required');
      await assert.rejects(doctor.me(), { reason: 'second_factor_enrolment_required' });
    } finally {
      await admin.setStaffOtpPolicy(organisationId, 'privileged');
    }
    assert.equal((await signInWith(identity)).status, 200);
  });

  it('requires a code of a member with the emergency privilege under privileged, ending its key-only session', async () => {
    const identity = generateIdentity();
    await admin.addMember({
      organisationId,
      member: identity.address,
      role: 'nurse',
      encryptionKey: identity.encryption.publicKey,
    });
    const before = await signInWith(identity);
    assert.equal(before.status, 200, before.text);
    await admin.setEmergencyPrivilege(identity.address, true);
    // Its key-only session ends with the privilege: it signs in again under the policy.
    assertRefusal(
      await call(gateway.url, 'GET', '/api/me', { token: (before.body as { token: string }).token }),
      401,
      'unauthenticated',
      'session_unknown',
    );
    assertRefusal(await signInWith(identity), 403, 'access_denied', 'second_factor_enrolment_required');
    const code = authenticator((await admin.enrolMemberOtp(organisationId, identity.address)).uri);
    const nurse = createGatewayClient({ url: gateway.url, identity, otp: code() });
    const status = await nurse.staffOtpStatus();
    assert.deepEqual(status, {
      organisationId,
      policy: 'privileged',
      enabled: true,
      pending: false,
      required: true,
    });
    // Required by the policy: it cannot turn its own code off.
    await assert.rejects(nurse.disableStaffOtp(code(30)), {
      code: 'conflict',
      reason: 'second_factor_required_by_policy',
    });
  });

  it('lets a member the policy does not require a code of enrol itself; once on, sign-in needs it', async () => {
    const identity = generateIdentity();
    await admin.addMember({
      organisationId,
      member: identity.address,
      role: 'doctor',
      encryptionKey: identity.encryption.publicKey,
    });
    const doctor = createGatewayClient({ url: gateway.url, identity });
    const code = authenticator((await doctor.startStaffOtpEnrolment()).uri);
    await assert.rejects(doctor.confirmStaffOtp(code(-120)), { reason: 'otp_wrong' });
    assert.equal((await doctor.confirmStaffOtp(code())).enabled, true);
    assertRefusal(await signInWith(identity), 401, 'unauthenticated', 'otp_required');
    // Off again with a code (optional for it): no code needed any more.
    assert.equal((await doctor.disableStaffOtp(code(30))).enabled, false);
    assert.equal((await signInWith(identity)).status, 200);
  });

  it('resets a member’s factor by its own organisation’s admin only: audited, notified, sessions ended', async () => {
    const identity = generateIdentity();
    await admin.addMember({
      organisationId,
      member: identity.address,
      role: 'doctor',
      encryptionKey: identity.encryption.publicKey,
    });
    const code = authenticator((await admin.enrolMemberOtp(organisationId, identity.address)).uri);
    const signedIn = await signInWith(identity, code());
    assert.equal(signedIn.status, 200, signedIn.text);
    const { token } = signedIn.body as { token: string };

    // Another organisation's admin, a member, a patient: refused.
    const otherAdmin = newActor(gateway.url);
    const other = await otherAdmin.createOrganisation({ name: 'St Other Lab', kind: 'lab' });
    await admin.approveOrganisation(other.organisationId);
    const colleague = await newMember(gateway.url, consortium);
    const patient = await newPatient(gateway.url, consortium);
    for (const caller of [otherAdmin, colleague, patient]) {
      await assert.rejects(caller.resetMemberOtp(organisationId, identity.address), {
        code: 'access_denied',
        reason: 'not_organisation_admin',
      });
      await assert.rejects(caller.enrolMemberOtp(organisationId, identity.address), {
        reason: 'not_organisation_admin',
      });
      await assert.rejects(caller.setStaffOtpPolicy(organisationId, 'optional'), {
        reason: 'not_organisation_admin',
      });
    }
    assert.equal((await admin.organisationSecondFactors(organisationId)).policy, 'privileged');
    // Nor can the admin reset its own: another admin does.
    await assert.rejects(admin.resetMemberOtp(organisationId, admin.address), {
      code: 'access_denied',
      reason: 'own_second_factor_reset',
    });
    // The other organisation's admin cannot reach this member through its own organisation either.
    await assert.rejects(otherAdmin.resetMemberOtp(other.organisationId, identity.address), {
      code: 'not_found',
      reason: 'not_organisation_member',
    });

    const reset = await admin.resetMemberOtp(organisationId, identity.address);
    assert.equal(reset.enabled, false);
    assert.equal(reset.pending, false);
    assertRefusal(
      await call(gateway.url, 'GET', '/api/me', { token }),
      401,
      'unauthenticated',
      'session_unknown',
    );
    // Not required of a doctor without the privilege: it signs in with its key alone again.
    const member = createGatewayClient({ url: gateway.url, identity });
    const notified = await eventually(async () => {
      const { notifications } = await member.notifications();
      const changes = notifications
        .filter((n) => n.kind === 'second-factor-changed')
        .map((n) => n.data.change);
      return changes.length >= 2 ? changes : undefined;
    }, 'the member’s notifications of the enrolment and the reset');
    assert.deepEqual(notified, ['enrolment-started', 'reset']);
    const { events } = await admin.audit({ organisation: organisationId });
    const actions = events
      .filter((event) => event.reason === identity.address.toLowerCase())
      .map((e) => e.action);
    assert.deepEqual(actions.sort(), ['staff-otp-enrolment-started', 'staff-otp-reset']);
  });
});
