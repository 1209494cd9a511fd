/**
 * The second factor area: a patient's one-time code (TOTP) for approvals, and the chain's rule that
 * only its home gateway relays its grants. Refused codes answer with reasons `otp_required`,
 * `otp_wrong` and `otp_code_used` (field `attemptsLeft`), and `otp_locked` (field `lockedUntil`,
 * unix seconds); see `errors.ts`.
 */
import type { ApiType } from './apiType.ts';
import { object, oneTimeCode, signedFields } from './schemaParts.ts';

/** `GET /api/otp`, and the answer of turning the code on or off. */
export const secondFactorStatus = object(
  {
    enabled: { type: 'boolean', description: 'the one-time code is on: approvals need it' },
    pending: { type: 'boolean', description: 'an enrolment waits for its first code' },
    homeRelayOnly: {
      type: 'boolean',
      description: 'the chain accepts this patient’s grants only from its home gateway',
    },
    homeGateway: { type: 'boolean', description: 'this gateway is the patient’s home gateway' },
  },
  ['enabled', 'pending', 'homeRelayOnly', 'homeGateway'],
);
export type SecondFactorStatus = ApiType<typeof secondFactorStatus>;

/** `POST /api/otp/enrolment`: the authenticator's URI, answered once. */
export const otpEnrolment = object(
  {
    uri: { type: 'string', description: 'otpauth:// URI holding the secret; shown once' },
    homeGateway: { type: 'boolean', description: 'this gateway is the patient’s home gateway' },
  },
  ['uri', 'homeGateway'],
);
export type OtpEnrolment = ApiType<typeof otpEnrolment>;

/** The patient's signed `SetHomeRelayOnly` (its `patient` is the session, `enabled` set by the route). */
export const homeRelaySignature = object({ ...signedFields }, ['nonce', 'deadline', 'signature']);

/** `POST /api/otp/confirmation` and `POST /api/otp/deactivation`: a current code, and optionally the binding. */
export const otpCodeRequest = object({ code: oneTimeCode, homeRelay: homeRelaySignature }, ['code']);
export type OtpCodeRequest = ApiType<typeof otpCodeRequest>;
