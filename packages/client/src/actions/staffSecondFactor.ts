/**
 * An organisation member's one-time code at sign-in (TOTP) and its organisation's policy: the
 * member's own code, and, for its admins, the policy and the members' enrolments and resets. The
 * code itself goes with the sign-in (`TransportOptions.otp`).
 */
import type {
  MemberOtpEnrolment,
  MemberSecondFactor,
  OrganisationSecondFactors,
  StaffOtpEnrolment,
  StaffSecondFactorAttestationBody,
  StaffSecondFactorPolicy,
  StaffSecondFactorPolicyInfo,
  StaffSecondFactorStatus,
} from '@medledger/api';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * Whether the member's sign-in code is on or pending, and whether its organisation's policy requires it.
 *
 * @example
 * const { enabled, required } = await staffOtpStatus(doctor);
 */
export function staffOtpStatus(client: Transport): Promise<StaffSecondFactorStatus> {
  return client.call<StaffSecondFactorStatus>('GET', '/api/staff-otp');
}

/**
 * An attestation of the member's home gateway (the client's, which hosts its organisation) that it
 * signed in there under its organisation's policy: another organisation's gateway asks for it at
 * sign-in when the home gateway requires a code of the member (`TransportOptions.attestation`).
 * Kept until a minute before it ends.
 *
 * @example
 * const peer = createTransport({ url: labUrl, identity, attestation: () => staffAttestation(doctor) });
 */
export function staffAttestation(client: Transport): Promise<StaffSecondFactorAttestationBody> {
  const key = 'staffAttestation';
  const held = client.cached(key, () =>
    client.call<StaffSecondFactorAttestationBody>('GET', '/api/staff-otp/attestation'),
  );
  return held.then((attestation) => {
    if (attestation.message.expiresAt * 1000 - Date.now() > 60_000) return attestation;
    client.forget(key);
    return client.cached(key, () =>
      client.call<StaffSecondFactorAttestationBody>('GET', '/api/staff-otp/attestation'),
    );
  });
}

/**
 * Enrols the member's own authenticator (while its policy does not require one of it): the
 * `otpauth://` URI, shown once; `confirmStaffOtp` turns it on.
 *
 * @example
 * const { uri } = await startStaffOtpEnrolment(doctor);
 */
export function startStaffOtpEnrolment(client: Transport): Promise<StaffOtpEnrolment> {
  return client.call<StaffOtpEnrolment>('POST', '/api/staff-otp/enrolment', {});
}

/**
 * Turns the member's pending sign-in code on with a first valid code.
 *
 * @example
 * await confirmStaffOtp(doctor, '123456');
 */
export function confirmStaffOtp(client: Transport, code: string): Promise<StaffSecondFactorStatus> {
  return client.call<StaffSecondFactorStatus>('POST', '/api/staff-otp/confirmation', { code });
}

/**
 * Turns the member's sign-in code off with a valid one (refused while the policy requires it).
 *
 * @example
 * await disableStaffOtp(doctor, '123456');
 */
export function disableStaffOtp(client: Transport, code: string): Promise<StaffSecondFactorStatus> {
  return client.call<StaffSecondFactorStatus>('POST', '/api/staff-otp/deactivation', { code });
}

/**
 * As an admin, at the organisation's gateway: its policy and each member's second factor.
 *
 * @example
 * const { policy, members } = await organisationSecondFactors(admin, organisationId);
 */
export function organisationSecondFactors(
  client: Transport,
  organisationId: number,
): Promise<OrganisationSecondFactors> {
  return client.call<OrganisationSecondFactors>('GET', `/api/organisations/${organisationId}/second-factor`);
}

/**
 * As an admin: who must give a code at sign-in (`optional`, `privileged`, `all`).
 *
 * @example
 * await setStaffOtpPolicy(admin, organisationId, 'privileged');
 */
export function setStaffOtpPolicy(
  client: Transport,
  organisationId: number,
  policy: StaffSecondFactorPolicy,
): Promise<StaffSecondFactorPolicyInfo> {
  return client.call<StaffSecondFactorPolicyInfo>(
    'PUT',
    `/api/organisations/${organisationId}/second-factor/policy`,
    { policy },
  );
}

/**
 * As an admin: starts a member's enrolment; the URI (shown once) is for the member's authenticator,
 * and its first code at sign-in turns it on.
 *
 * @example
 * const { uri } = await enrolMemberOtp(admin, organisationId, doctor.address);
 */
export function enrolMemberOtp(
  client: Transport,
  organisationId: number,
  member: Address,
): Promise<MemberOtpEnrolment> {
  return client.call<MemberOtpEnrolment>(
    'POST',
    `/api/organisations/${organisationId}/second-factor/members/${member.toLowerCase()}/enrolment`,
    {},
  );
}

/**
 * As an admin: removes a member's code (lost authenticator); the member's sessions end.
 *
 * @example
 * await resetMemberOtp(admin, organisationId, doctor.address);
 */
export function resetMemberOtp(
  client: Transport,
  organisationId: number,
  member: Address,
): Promise<MemberSecondFactor> {
  return client.call<MemberSecondFactor>(
    'DELETE',
    `/api/organisations/${organisationId}/second-factor/members/${member.toLowerCase()}`,
  );
}
