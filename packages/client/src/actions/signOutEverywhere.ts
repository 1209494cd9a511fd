import type { SessionsEnded } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * Ends every session of this identity's account at the gateway (on every device, this client's
 * included) and forgets this client's; resolves with how many sessions ended. The next request
 * signs in again.
 *
 * @example
 * const { ended } = await signOutEverywhere(client);
 */
export async function signOutEverywhere(client: Transport): Promise<SessionsEnded> {
  const result = await client.call<SessionsEnded>('DELETE', '/api/auth/sessions');
  client.dropSession();
  return result;
}
