import type { Emergency } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * One emergency, for its member, its patient or the member's organisation admins.
 *
 * @example
 * const { verdict } = await emergency(admin, emergencyId);
 */
export function emergency(client: Transport, emergencyId: number): Promise<Emergency> {
  return client.call<Emergency>('GET', `/api/emergencies/${emergencyId}`);
}
