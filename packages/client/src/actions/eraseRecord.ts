import type { RecordsErased } from '@medledger/api';
import type { ErasureReason } from '@medledger/core';
import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';
import { eraseRecords } from './eraseRecords.ts';

/**
 * Erases one record (see `eraseRecords`): the patient's own (`patient-request`, the default), or as an
 * admin of the author's organisation, one entered in error within the consortium's window. Cannot be undone.
 *
 * @example
 * await eraseRecord(patient, recordId);
 */
export async function eraseRecord(
  client: Transport,
  recordId: Hex,
  reason: ErasureReason = 'patient-request',
): Promise<RecordsErased> {
  const [erased] = await eraseRecords(client, [recordId], reason);
  return erased as RecordsErased;
}
