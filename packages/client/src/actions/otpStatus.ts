import type { SecondFactorStatus } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * Whether the patient's one-time code is on, and whether this gateway is its home gateway.
 *
 * @example
 * const { enabled } = await otpStatus(patient);
 */
export function otpStatus(client: Transport): Promise<SecondFactorStatus> {
  return client.call<SecondFactorStatus>('GET', '/api/otp');
}
