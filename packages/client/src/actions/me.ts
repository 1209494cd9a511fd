import type { Me } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * Who this identity is to the gateway: its memberships, patient registration and roles.
 *
 * @example
 * const { patient } = await me(client);
 */
export function me(client: Transport): Promise<Me> {
  return client.call<Me>('GET', '/api/me');
}
