import type { OtpEnrolment } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * Starts an enrolment of the patient's second factor (TOTP): the `otpauth://` URI to load into an
 * authenticator app (shown once); `confirmOtp` turns it on.
 *
 * @example
 * const { uri } = await startOtpEnrolment(patient);
 */
export function startOtpEnrolment(client: Transport): Promise<OtpEnrolment> {
  return client.call<OtpEnrolment>('POST', '/api/otp/enrolment', {});
}
