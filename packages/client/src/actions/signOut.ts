import type { Transport } from '../transport.ts';
import { requestGateway } from '../transport.ts';

/**
 * Ends this client's session at the gateway and forgets it; does nothing when no session is held
 * (it never signs in just to sign out). The next request signs in again.
 *
 * @example
 * await signOut(client);
 */
export async function signOut(client: Transport): Promise<void> {
  const session = client.currentSession();
  client.dropSession();
  if (session)
    await requestGateway<void>(client.url, 'DELETE', '/api/auth/session', { token: session.token });
}
