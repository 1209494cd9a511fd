import type { SecondFactorStatus } from '@medledger/api';
import { signHomeRelay } from '../homeRelay.ts';
import type { Transport } from '../transport.ts';
import { otpStatus } from './otpStatus.ts';

/**
 * Turns the patient's one-time code on with a first valid code; at its home gateway (by default
 * when this gateway is it), also signs that the chain take its grants from that gateway only.
 *
 * @example
 * await confirmOtp(patient, '123456');
 */
export async function confirmOtp(
  client: Transport,
  code: string,
  options: { bindHomeGateway?: boolean } = {},
): Promise<SecondFactorStatus> {
  const bind = options.bindHomeGateway ?? (await otpStatus(client)).homeGateway;
  return client.call<SecondFactorStatus>('POST', '/api/otp/confirmation', {
    code,
    ...(bind ? { homeRelay: await signHomeRelay(client, true) } : {}),
  });
}
