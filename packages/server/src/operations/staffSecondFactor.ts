/**
 * Staff second factor: organisation members give the one-time code of their authenticator (TOTP,
 * the same factor, store, encryption at rest, reuse and lockout rules as a patient's, `secondFactor.ts`)
 * at sign-in, under their organisation's policy, kept by the organisation's gateway:
 *
 * - `optional` (the default): members may enrol; an enrolled member must give its code.
 * - `privileged`: required of admins and of members with the emergency privilege (as the chain's
 *   Emergencies contract says at sign-in), optional for the others.
 * - `all`: required of every member.
 *
 * Bootstrap: a member the policy requires a code of, and who has none, gets no session (403
 * `second_factor_enrolment_required`); an admin of its organisation starts its enrolment (the URI,
 * answered once, is handed to the member, e.g. as a QR code) and the member's first code, given at
 * sign-in, confirms it. A key alone therefore never enrols a factor that the policy requires: that
 * takes the admin. A member may enrol itself only while the policy does not require a code of it.
 * An admin's own factor: it enrols itself while the policy does not require one of admins, and
 * cannot set a policy that does before its own factor is on (so it never locks itself out); a lost
 * factor is reset by another admin of the organisation, never by the admin itself.
 *
 * Admins' resets and enrolments are audited and notified to the member; a reset also ends the
 * member's sessions.
 *
 * At another organisation's gateway, which keeps neither the policy nor the codes, the member's
 * home gateway is asked whether it needs a code, and if so the member signs in with that gateway's
 * attestation (`staffAttestation.ts`).
 */
import type {
  MemberOtpEnrolment,
  MemberSecondFactor,
  OrganisationSecondFactors,
  StaffOtpEnrolment,
  StaffOtpRequirement,
  StaffSecondFactorAttestationBody,
  StaffSecondFactorPolicy,
  StaffSecondFactorPolicyInfo,
  StaffSecondFactorStatus,
} from '@medledger/api';
import { defaultStaffSecondFactorPolicy } from '@medledger/api';
import {
  AccessDeniedError,
  ConflictError,
  MedledgerError,
  maxStaffAttestationSeconds,
  NotFoundError,
  roleCode,
  roleOfCode,
  UnauthenticatedError,
} from '@medledger/core';
import { type Address, isAddressEqual } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { hostedOrganisations } from '../organisations.ts';
import { answerRequirement, hostsOrganisation, requireHomeAttestation } from '../staffAttestation.ts';
import { knownName } from './vocabularyCodes.ts';

/**
 * What the sign-in check needs: the chain, the store (policies), the second factors, the custodian
 * key (which organisations this gateway hosts), the home gateways of the others.
 */
export type StaffSecondFactorDeps = Pick<
  GatewayServices,
  'ledger' | 'store' | 'secondFactor' | 'staffAttestations'
> & { custodianKey: string };

interface MemberFacts {
  organisationId: number;
  role: number;
  active: boolean;
}

/** The organisation's policy as its gateway keeps it (the default when its admin set none). */
async function policyOf(
  { store }: Pick<GatewayServices, 'store'>,
  organisationId: number,
): Promise<StaffSecondFactorPolicyInfo> {
  const row = await store.staffSecondFactorPolicy(organisationId);
  return { organisationId, policy: row?.policy ?? defaultStaffSecondFactorPolicy, isDefault: !row };
}

/**
 * Whether `policy` requires a code of the member: asks the chain for the emergency privilege only
 * when the answer depends on it.
 */
async function codeRequired(
  { ledger }: Pick<GatewayServices, 'ledger'>,
  policy: StaffSecondFactorPolicy,
  member: Address,
  role: number,
  knownPrivilege?: boolean,
): Promise<boolean> {
  if (policy === 'all') return true;
  if (policy === 'optional') return false;
  if (role === roleCode('admin')) return true;
  return knownPrivilege ?? (await ledger.read('emergencies', 'isEmergencyPrivileged', [member]));
}

/**
 * The sign-in check, run after the SIWE signature and nonce are accepted and before a session is
 * made. Not a member: nothing (a patient's code guards its approvals, not its sign-in). A member
 * with its code on must give it (401 `otp_required`, `otp_invalid`, `otp_locked`); a pending
 * enrolment is confirmed by the code given; a member the policy requires a code of and who has no
 * factor is refused (403 `second_factor_enrolment_required`). A member of an organisation this
 * gateway does not host gives its home gateway's attestation instead, when that gateway requires a
 * code of it (`requireHomeAttestation`). Fails closed: a chain or a home gateway that cannot be
 * read refuses the sign-in.
 */
export async function requireStaffSecondFactor(
  deps: StaffSecondFactorDeps,
  account: Address,
  otp: string | undefined,
  attestation?: StaffSecondFactorAttestationBody,
): Promise<void> {
  const member = await deps.ledger.read('consortium', 'member', [account]);
  if (!member.organisationId) return;
  if (!(await hostsOrganisation(deps.ledger, deps.custodianKey, member.organisationId))) {
    await requireHomeAttestation(deps, account, member.organisationId, attestation);
    return;
  }
  const factor = await deps.secondFactor.status(account);
  if (factor.enabled) {
    if (!otp) throw otpRequired('enabled');
    await asSignInRefusal(deps.secondFactor.requireCode(account, otp));
    return;
  }
  if (factor.pending && otp) {
    await asSignInRefusal(deps.secondFactor.confirmEnrolment(account, otp));
    return;
  }
  const { policy } = await policyOf(deps, member.organisationId);
  if (!(await codeRequired(deps, policy, account, member.role))) return;
  if (factor.pending) throw otpRequired('pending');
  throw new AccessDeniedError(
    `Organisation ${member.organisationId} requires a one-time code of ${account} at sign-in, and it has none: ` +
      'an admin of the organisation starts the enrolment and hands over the authenticator URI; ' +
      'then sign in with the first code (--otp CODE).',
    {
      reason: 'second_factor_enrolment_required',
      fields: { organisationId: member.organisationId, policy },
    },
  );
}

function otpRequired(enrolment: 'enabled' | 'pending'): UnauthenticatedError {
  return new UnauthenticatedError(
    enrolment === 'pending'
      ? 'Sign in with the first code of the authenticator your admin enrolled (--otp CODE): it turns the code on.'
      : 'This account signs in only with the current one-time code of its authenticator (--otp CODE).',
    { reason: 'otp_required', fields: { enrolment } },
  );
}

/** The factor's refusals of a code, as sign-in refusals: 401 `otp_invalid` or `otp_locked`. */
async function asSignInRefusal(checking: Promise<void>): Promise<void> {
  try {
    await checking;
  } catch (error) {
    if (!(error instanceof MedledgerError)) throw error;
    if (error.reason === 'otp_wrong' || error.reason === 'otp_code_used') {
      const attemptsLeft = Number(error.fields?.attemptsLeft);
      throw new UnauthenticatedError(
        `${error.reason === 'otp_wrong' ? 'The one-time code is wrong or expired.' : 'This one-time code was already used; wait for the next one.'} ` +
          `${attemptsLeft} more wrong code${attemptsLeft === 1 ? '' : 's'} within 15 minutes will lock sign-in for 15 minutes.`,
        { reason: 'otp_invalid', fields: { attemptsLeft }, cause: error },
      );
    }
    if (error.reason === 'otp_locked') {
      throw new UnauthenticatedError(
        `Too many wrong one-time codes: sign-in is locked until ${new Date(Number(error.fields?.lockedUntil) * 1000).toISOString()}.`,
        { reason: 'otp_locked', fields: { lockedUntil: Number(error.fields?.lockedUntil) }, cause: error },
      );
    }
    throw error;
  }
}

/** Admits an active admin of an organisation this gateway serves (which keeps its policy). */
async function requireAdminHere(services: GatewayServices, session: Session, organisationId: number) {
  await services.access.requireOrganisationAdmin(
    session.address,
    organisationId,
    'and sets its members’ second factors',
  );
  const hosted = hostedOrganisations(await services.store.organisations(), services.custodian.publicKey);
  if (!hosted.includes(organisationId)) {
    throw new NotFoundError(
      `Organisation ${organisationId} keeps its second-factor policy at its own gateway, not this one.`,
      { reason: 'organisation_not_hosted', fields: { organisationId } },
    );
  }
}

/** The member `address` of `organisationId` as the chain has it now; `NotFoundError` otherwise. */
async function memberOf(
  { ledger }: GatewayServices,
  organisationId: number,
  address: Address,
): Promise<MemberFacts> {
  const member = await ledger.read('consortium', 'member', [address]);
  if (member.organisationId !== organisationId) {
    throw new NotFoundError(`${address} is not a member of organisation ${organisationId}.`, {
      reason: 'not_organisation_member',
      fields: { organisationId, address },
    });
  }
  return member;
}

/** The caller as a member; `AccessDeniedError` (`not_a_member`) for anyone else. */
async function callerAsMember({ ledger }: GatewayServices, session: Session): Promise<MemberFacts> {
  const member = await ledger.read('consortium', 'member', [session.address]);
  if (!member.organisationId) {
    throw new AccessDeniedError(
      'Only an organisation member has a sign-in code; a patient’s code is at /api/otp.',
      {
        reason: 'not_a_member',
      },
    );
  }
  return member;
}

async function memberSecondFactor(
  services: GatewayServices,
  policy: StaffSecondFactorPolicy,
  member: { address: Address; role: number; active: boolean },
): Promise<MemberSecondFactor> {
  const [factor, emergencyPrivileged] = await Promise.all([
    services.secondFactor.status(member.address),
    services.ledger.read('emergencies', 'isEmergencyPrivileged', [member.address]),
  ]);
  return {
    address: member.address.toLowerCase() as Address,
    role: knownName(roleOfCode(member.role), 'role', member.role),
    active: member.active,
    emergencyPrivileged,
    ...factor,
    required: await codeRequired(services, policy, member.address, member.role, emergencyPrivileged),
  };
}

/**
 * Ends the member's sessions at this gateway when its organisation's policy now requires a code of
 * it and its code is not on: after it was given the emergency privilege, it signs in again under
 * the policy.
 */
export async function endSessionsWithoutRequiredCode(
  services: GatewayServices,
  member: Address,
): Promise<void> {
  const facts = await services.ledger.read('consortium', 'member', [member]);
  if (!facts.organisationId) return;
  const { policy } = await policyOf(services, facts.organisationId);
  const state = await memberSecondFactor(services, policy, { address: member, ...facts });
  if (state.required && !state.enabled) await services.store.deleteSessionsOfAccount(member);
}

/** The organisation's policy and every member's second factor, to an admin of it at its gateway. */
export async function organisationSecondFactors(
  services: GatewayServices,
  session: Session,
  organisationId: number,
): Promise<OrganisationSecondFactors> {
  await requireAdminHere(services, session, organisationId);
  const policy = await policyOf(services, organisationId);
  const members = await services.store.membersOf(organisationId);
  return {
    ...policy,
    members: await Promise.all(members.map((member) => memberSecondFactor(services, policy.policy, member))),
  };
}

/**
 * Sets the organisation's policy (its admin, at its gateway). A policy that requires a code of
 * admins is refused (409 `second_factor_enrolment_required`) while the admin's own code is not on,
 * so that it can still sign in. The sessions of members the new policy requires a code of, and who
 * have none on, end (they sign in again under it). Audited.
 */
export async function setStaffSecondFactorPolicy(
  services: GatewayServices,
  session: Session,
  organisationId: number,
  policy: StaffSecondFactorPolicy,
): Promise<StaffSecondFactorPolicyInfo> {
  await requireAdminHere(services, session, organisationId);
  const admin = session.address;
  if (policy !== 'optional' && !(await services.secondFactor.status(admin)).enabled) {
    throw new ConflictError(
      `Turn on your own one-time code first: policy "${policy}" requires it of admins at sign-in.`,
      { reason: 'second_factor_enrolment_required', fields: { organisationId, policy } },
    );
  }
  await services.store.saveStaffSecondFactorPolicy({
    organisationId,
    policy,
    setBy: admin,
    setAt: Date.now(),
  });
  await audit(services, admin, 'staff-otp-policy', policy);
  for (const member of await services.store.membersOf(organisationId)) {
    const state = await memberSecondFactor(services, policy, member);
    if (state.required && !state.enabled) await services.store.deleteSessionsOfAccount(member.address);
  }
  return { organisationId, policy, isDefault: false };
}

/**
 * An admin starts a member's enrolment (itself included): the `otpauth://` URI, answered once, to
 * hand to the member; the member's first code (at sign-in, or `POST /api/staff-otp/confirmation`)
 * turns it on. Refused (409 `otp_already_enabled`) while the member's code is on: reset it first.
 * Audited and notified to the member.
 */
export async function startMemberOtpEnrolment(
  services: GatewayServices,
  session: Session,
  organisationId: number,
  member: Address,
): Promise<MemberOtpEnrolment> {
  await requireAdminHere(services, session, organisationId);
  await memberOf(services, organisationId, member);
  const { uri } = await services.secondFactor.startEnrolment(member);
  await audit(services, session.address, 'staff-otp-enrolment-started', member);
  await notify(services, member, 'enrolment-started', session.address, organisationId);
  return { member: member.toLowerCase() as Address, uri };
}

/**
 * An admin removes a member's code, on or pending (a lost or compromised authenticator); the
 * member's sessions end. Not its own (403 `own_second_factor_reset`): another admin resets an
 * admin's. Audited and notified to the member.
 */
export async function resetMemberOtp(
  services: GatewayServices,
  session: Session,
  organisationId: number,
  member: Address,
): Promise<MemberSecondFactor> {
  await requireAdminHere(services, session, organisationId);
  if (isAddressEqual(member, session.address)) {
    throw new AccessDeniedError(
      'An admin does not reset its own second factor: another admin of the organisation does, or turn it off with a code.',
      { reason: 'own_second_factor_reset' },
    );
  }
  const facts = await memberOf(services, organisationId, member);
  await services.secondFactor.reset(member);
  await services.store.deleteSessionsOfAccount(member);
  await audit(services, session.address, 'staff-otp-reset', member);
  await notify(services, member, 'reset', session.address, organisationId);
  const { policy } = await policyOf(services, organisationId);
  return memberSecondFactor(services, policy, { address: member, ...facts });
}

/** The caller's own sign-in code: on, pending, required by its organisation's policy. */
export async function staffOtpStatus(
  services: GatewayServices,
  session: Session,
): Promise<StaffSecondFactorStatus> {
  const member = await callerAsMember(services, session);
  const { policy } = await policyOf(services, member.organisationId);
  const [factor, required] = await Promise.all([
    services.secondFactor.status(session.address),
    codeRequired(services, policy, session.address, member.role),
  ]);
  return { organisationId: member.organisationId, policy, ...factor, required };
}

/**
 * A member enrols its own authenticator: the URI, answered once. Only at its organisation's gateway
 * (404 `organisation_not_hosted`: the others ask that one, and never look at a code kept here), and
 * only while the policy does not require a code of it (otherwise 403 `enrolment_by_admin_required`:
 * a key alone must not enrol the factor that the policy requires).
 */
export async function startStaffOtpEnrolment(
  services: GatewayServices,
  session: Session,
): Promise<StaffOtpEnrolment> {
  const status = await staffOtpStatus(services, session);
  if (!(await hostsOrganisation(services.ledger, services.custodian.publicKey, status.organisationId))) {
    throw new NotFoundError(
      `Organisation ${status.organisationId} keeps its members’ sign-in codes at its own gateway: enrol there.`,
      { reason: 'organisation_not_hosted', fields: { organisationId: status.organisationId } },
    );
  }
  if (status.required && !status.enabled) {
    throw new AccessDeniedError(
      'Your organisation’s policy requires a one-time code of you: an admin of your organisation enrols it.',
      { reason: 'enrolment_by_admin_required', fields: { organisationId: status.organisationId } },
    );
  }
  const { uri } = await services.secondFactor.startEnrolment(session.address);
  return { uri };
}

/**
 * The attestation a member signed in here gives another organisation's gateway
 * (`staffAttestation.ts`): signed with this gateway's relayer key, valid until the session's end (at
 * most 12 h). Only at the gateway hosting the member's organisation (404
 * `organisation_not_hosted`) and publishing this gateway's relayer for it (409
 * `gateway_relayer_not_published`: nobody else could check it).
 */
export async function staffOtpAttestation(
  services: GatewayServices,
  session: Session,
): Promise<StaffSecondFactorAttestationBody> {
  const member = await callerAsMember(services, session);
  const { organisationId } = member;
  if (!(await hostsOrganisation(services.ledger, services.custodian.publicKey, organisationId))) {
    throw new NotFoundError(
      `Organisation ${organisationId} keeps its members’ second factors at its own gateway, not this one: ask it there.`,
      { reason: 'organisation_not_hosted', fields: { organisationId } },
    );
  }
  const relayer = await services.ledger.read('consortium', 'gatewayRelayerOf', [organisationId]);
  if (!isAddressEqual(relayer, services.ledger.relayerAddress)) {
    throw new ConflictError(
      `Organisation ${organisationId} has not published this gateway’s relayer (${services.ledger.relayerAddress}) on chain: ` +
        'other gateways could not check its attestation.',
      { reason: 'gateway_relayer_not_published', fields: { organisationId } },
    );
  }
  const issuedAt = Math.floor(Date.now() / 1000);
  const message = {
    member: session.address.toLowerCase() as Address,
    organisationId,
    issuedAt,
    expiresAt: Math.min(Math.floor(session.expiresAt / 1000), issuedAt + maxStaffAttestationSeconds),
  };
  return { message, signature: await services.staffAttestations.sign(message) };
}

/**
 * Whether `address`, a member of an organisation this gateway hosts, needs a code at sign-in: its
 * code is on, or the policy requires one of it. Public: other gateways ask before admitting it.
 */
export async function staffOtpRequirement(
  services: GatewayServices,
  address: Address,
): Promise<StaffOtpRequirement> {
  return answerRequirement(
    { ledger: services.ledger, custodianKey: services.custodian.publicKey },
    address,
    async (organisationId, role) => {
      if ((await services.secondFactor.status(address)).enabled) return true;
      const { policy } = await policyOf(services, organisationId);
      return codeRequired(services, policy, address, role);
    },
  );
}

/** Turns the caller's pending code on with a first valid code. */
export async function confirmStaffOtp(
  services: GatewayServices,
  session: Session,
  code: string,
): Promise<StaffSecondFactorStatus> {
  await callerAsMember(services, session);
  await services.secondFactor.confirmEnrolment(session.address, code);
  return staffOtpStatus(services, session);
}

/**
 * Turns the caller's code off with a valid one; refused (409 `second_factor_required_by_policy`)
 * while the organisation's policy requires a code of it.
 */
export async function disableStaffOtp(
  services: GatewayServices,
  session: Session,
  code: string,
): Promise<StaffSecondFactorStatus> {
  const status = await staffOtpStatus(services, session);
  if (status.required) {
    throw new ConflictError('Your organisation’s policy requires your one-time code at sign-in.', {
      reason: 'second_factor_required_by_policy',
      fields: { organisationId: status.organisationId, policy: status.policy },
    });
  }
  await services.secondFactor.disable(session.address, code);
  return staffOtpStatus(services, session);
}

/** An admin's change, in the gateway's audit log (no patient: `reason` names the member or policy). */
async function audit(services: GatewayServices, admin: Address, action: string, subject: string) {
  await services.auditLog.record({
    actor: admin.toLowerCase() as Address,
    patient: null,
    action,
    recordId: null,
    category: null,
    sensitivity: null,
    purpose: null,
    outcome: 'allowed',
    reason: subject.toLowerCase(),
  });
}

async function notify(
  services: GatewayServices,
  member: Address,
  change: 'reset' | 'enrolment-started',
  admin: Address,
  organisationId: number,
) {
  const at = Date.now();
  await services.notifier.add([
    {
      recipient: member.toLowerCase() as Address,
      kind: 'second-factor-changed',
      data: { change, by: admin.toLowerCase(), organisationId, at },
      key: `second-factor-changed:${member.toLowerCase()}:${change}:${at}`,
    },
  ]);
}
