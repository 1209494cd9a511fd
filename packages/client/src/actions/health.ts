import type { Health } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * The gateway's health: its chain and stores (public: no sign-in).
 *
 * @example
 * const { status, ledger } = await health(client);
 */
export function health(client: Transport): Promise<Health> {
  return client.call<Health>('GET', '/api/health', undefined, false);
}
