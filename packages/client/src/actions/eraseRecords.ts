import type { RecordsErased } from '@medledger/api';
import { type ErasureReason, erasureReasonCode, recordActionsTypes } from '@medledger/core';
import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';

/** The most erasures one request (one transaction) carries. */
export const erasuresPerRequest = 50;

/**
 * Erases records, signing one erasure each as this identity: `patient-request` for the patient's own
 * records, `entered-in-error` for an admin of the author's organisation within the consortium's window.
 * Sent in requests of at most 50 (one transaction each); resolves once all are erased. Cannot be undone:
 * every gateway destroys the encrypted content and refuses the keys.
 *
 * @example
 * await eraseRecords(patient, [recordId], 'patient-request');
 */
export async function eraseRecords(
  client: Transport,
  recordIds: readonly Hex[],
  reason: ErasureReason = 'patient-request',
): Promise<RecordsErased[]> {
  const by = client.account.address;
  const results: RecordsErased[] = [];
  for (let start = 0; start < recordIds.length; start += erasuresPerRequest) {
    const erasures = await Promise.all(
      recordIds.slice(start, start + erasuresPerRequest).map(async (recordId) => {
        const message = { recordId, by, reason: erasureReasonCode(reason) };
        return {
          ...message,
          ...(await client.signAction('recordActions', recordActionsTypes, 'Erasure', message)),
        };
      }),
    );
    results.push(await client.call<RecordsErased>('POST', '/api/records/erase', { erasures }));
  }
  return results;
}
