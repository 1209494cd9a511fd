import type { AccessRequestList } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * The access requests this identity made (as a member) or received (as a patient).
 *
 * @example
 * const { incoming, outgoing } = await listAccessRequests(patient);
 */
export function listAccessRequests(client: Transport): Promise<AccessRequestList> {
  return client.call<AccessRequestList>('GET', '/api/access-requests');
}
