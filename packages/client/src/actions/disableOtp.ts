import type { SecondFactorStatus } from '@medledger/api';
import { signHomeRelay } from '../homeRelay.ts';
import type { Transport } from '../transport.ts';
import { otpStatus } from './otpStatus.ts';

/**
 * Turns the patient's one-time code off (needs a valid one); lifts the home-gateway rule too when
 * this gateway is the home gateway and the rule is in force.
 *
 * @example
 * await disableOtp(patient, '123456');
 */
export async function disableOtp(client: Transport, code: string): Promise<SecondFactorStatus> {
  const status = await otpStatus(client);
  const unbind = status.homeRelayOnly && status.homeGateway;
  return client.call<SecondFactorStatus>('POST', '/api/otp/deactivation', {
    code,
    ...(unbind ? { homeRelay: await signHomeRelay(client, false) } : {}),
  });
}
