/**
 * The staff second factor area: the one-time code (TOTP, the same machinery as a patient's, see
 * `secondFactor.ts`) that organisation members give at sign-in, under their organisation's policy
 * kept by its gateway. Sign-in refusals (`POST /api/auth/session`): 401 with reasons `otp_required`
 * (no code; field `enrolment` is `pending` when the code would confirm an enrolment), `otp_invalid`
 * (wrong, expired or already used; field `attemptsLeft`) and `otp_locked` (field `lockedUntil`, unix
 * seconds); 403 `second_factor_enrolment_required` when the policy requires a factor the member does
 * not have (an admin of its organisation starts the enrolment). At another organisation's gateway, a
 * member its home gateway requires a code of signs in with an attestation of that gateway instead:
 * 401 `second_factor_attestation_required` without one, 401 `second_factor_attestation_invalid`
 * (field `problem`: `expired`, `wrong_signer`, `wrong_member`, `wrong_organisation`, `malformed`)
 * with a bad one, 503 `home_gateway_unavailable` when the home gateway cannot be asked.
 */
import type { ApiType } from './apiType.ts';
import { address, object, oneTimeCode, role, signature, uint32, uint64 } from './schemaParts.ts';

/**
 * Who must give a code at sign-in: `optional` (members may enrol; an enrolled member must give its
 * code), `privileged` (also required of admins and of members with the emergency privilege), `all`.
 */
export const staffSecondFactorPolicies = ['optional', 'privileged', 'all'] as const;
export type StaffSecondFactorPolicy = (typeof staffSecondFactorPolicies)[number];

/** The policy of an organisation when its admin never set one. */
export const defaultStaffSecondFactorPolicy: StaffSecondFactorPolicy = 'optional';

const policy = {
  type: 'string',
  enum: [...staffSecondFactorPolicies],
  description:
    'optional: enrolled members give a code; privileged: admins and emergency-privileged members must; all: every member must',
} as const;

const factorState = {
  enabled: { type: 'boolean', description: 'the code is on: sign-in needs it' },
  pending: {
    type: 'boolean',
    description: 'an enrolment waits for its first code (given at sign-in or to the confirmation route)',
  },
  required: { type: 'boolean', description: 'the organisation’s policy requires a code of this member' },
} as const;

/** `PUT /api/organisations/:id/second-factor/policy`. */
export const staffSecondFactorPolicyBody = object({ policy }, ['policy']);
export type StaffSecondFactorPolicyBody = ApiType<typeof staffSecondFactorPolicyBody>;

/** An organisation's policy as its gateway keeps it. */
export const staffSecondFactorPolicy = object(
  {
    organisationId: { type: 'integer' },
    policy,
    isDefault: { type: 'boolean', description: 'no admin set it: the default policy' },
  },
  ['organisationId', 'policy', 'isDefault'],
);
export type StaffSecondFactorPolicyInfo = ApiType<typeof staffSecondFactorPolicy>;

/** One member's second factor, as its organisation's admins see it. */
export const memberSecondFactor = object(
  {
    address,
    role,
    active: { type: 'boolean' },
    emergencyPrivileged: { type: 'boolean' },
    ...factorState,
  },
  ['address', 'role', 'active', 'emergencyPrivileged', 'enabled', 'pending', 'required'],
);
export type MemberSecondFactor = ApiType<typeof memberSecondFactor>;

/** `GET /api/organisations/:id/second-factor`: the policy and every member's second factor. */
export const organisationSecondFactors = object(
  {
    organisationId: { type: 'integer' },
    policy,
    isDefault: { type: 'boolean' },
    members: { type: 'array', items: memberSecondFactor },
  },
  ['organisationId', 'policy', 'isDefault', 'members'],
);
export type OrganisationSecondFactors = ApiType<typeof organisationSecondFactors>;

/** `POST /api/organisations/:id/second-factor/members/:address/enrolment`: the URI to hand to the member, once. */
export const memberOtpEnrolment = object(
  {
    member: address,
    uri: { type: 'string', description: 'otpauth:// URI holding the secret; shown once, for the member' },
  },
  ['member', 'uri'],
);
export type MemberOtpEnrolment = ApiType<typeof memberOtpEnrolment>;

/** The `:id` (organisation) and `:address` (member) path parameters. */
export const organisationMemberParams = object(
  { id: { type: 'string', pattern: '^[0-9]{1,10}$' }, address },
  ['id', 'address'],
);

/** `GET /api/staff-otp`, and the answer of the member's own enrolment, confirmation and deactivation. */
export const staffSecondFactorStatus = object(
  { organisationId: { type: 'integer' }, policy, ...factorState },
  ['organisationId', 'policy', 'enabled', 'pending', 'required'],
);
export type StaffSecondFactorStatus = ApiType<typeof staffSecondFactorStatus>;

/** `POST /api/staff-otp/enrolment`: the member's own authenticator URI, answered once. */
export const staffOtpEnrolment = object(
  { uri: { type: 'string', description: 'otpauth:// URI holding the secret; shown once' } },
  ['uri'],
);
export type StaffOtpEnrolment = ApiType<typeof staffOtpEnrolment>;

/** `POST /api/staff-otp/confirmation` and `POST /api/staff-otp/deactivation`. */
export const staffOtpCodeRequest = object({ code: oneTimeCode }, ['code']);
export type StaffOtpCodeRequest = ApiType<typeof staffOtpCodeRequest>;

/**
 * `GET /api/staff-otp/attestation`, and the optional `attestation` of a sign-in at another
 * organisation's gateway: the member's home gateway states, signed with its relayer key (EIP-712
 * `StaffSecondFactorAttestation`, domain `medledger.StaffSecondFactor`, see the core's
 * `staffAttestation.ts`), that the member signed in there under its organisation's policy.
 */
export const staffSecondFactorAttestation = object(
  {
    message: object(
      {
        member: address,
        organisationId: uint32,
        issuedAt: { ...uint64, description: 'unix seconds' },
        expiresAt: { ...uint64, description: 'unix seconds: the home session’s absolute end, at most 12 h' },
      },
      ['member', 'organisationId', 'issuedAt', 'expiresAt'],
    ),
    signature,
  },
  ['message', 'signature'],
);
export type StaffSecondFactorAttestationBody = ApiType<typeof staffSecondFactorAttestation>;

/** `GET /api/staff-otp/requirement/:address` (public, asked by other gateways): whether sign-in needs a code. */
export const staffOtpRequirement = object(
  {
    required: {
      type: 'boolean',
      description: 'the member’s code is on, or its organisation’s policy requires one of it',
    },
  },
  ['required'],
);
export type StaffOtpRequirement = ApiType<typeof staffOtpRequirement>;
