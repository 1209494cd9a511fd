import type { AccessRequest } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * One access request, for its requester or its patient.
 *
 * @example
 * const { status } = await accessRequest(patient, requestId);
 */
export function accessRequest(client: Transport, requestId: number): Promise<AccessRequest> {
  return client.call<AccessRequest>('GET', `/api/access-requests/${requestId}`);
}
