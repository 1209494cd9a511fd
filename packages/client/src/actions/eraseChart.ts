import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';
import { eraseRecords } from './eraseRecords.ts';
import { listRecords } from './listRecords.ts';

/**
 * As the patient: erases every record of its chart not erased yet (hidden ones included), in batches of
 * 50 per transaction. Resolves with the ids erased. Cannot be undone.
 *
 * @example
 * const erased = await eraseChart(patient);
 */
export async function eraseChart(client: Transport): Promise<Hex[]> {
  const { records } = await listRecords(client, client.address, { includeHidden: true });
  const recordIds = records.filter((record) => !record.erased).map((record) => record.recordId as Hex);
  await eraseRecords(client, recordIds, 'patient-request');
  return recordIds;
}
