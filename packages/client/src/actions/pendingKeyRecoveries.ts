import type { PendingKeyRecoveries } from '@medledger/api';
import type { RecoveryRequest } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * Open recovery requests for the backups the client is a guardian of.
 *
 * @example
 * for (const { request, approved } of await pendingKeyRecoveries(guardian)) console.log(request.patient, approved);
 */
export async function pendingKeyRecoveries(
  client: Transport,
): Promise<{ request: RecoveryRequest; expiresAt: number; approved: boolean }[]> {
  return (await client.call<PendingKeyRecoveries>('GET', '/api/key-recovery/requests')).requests;
}
