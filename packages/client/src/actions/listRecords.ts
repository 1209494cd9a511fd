import type { RecordList } from '@medledger/api';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * The records of `patient` this identity may see (metadata only; `readRecord` opens one).
 *
 * @example
 * const { records } = await listRecords(client, patient);
 */
export function listRecords(client: Transport, patient: Address): Promise<RecordList> {
  return client.call<RecordList>('GET', `/api/records?patient=${patient.toLowerCase()}`);
}
