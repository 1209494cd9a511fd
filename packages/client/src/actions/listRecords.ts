import type { RecordList } from '@medledger/api';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

export interface ListRecordsOptions {
  /** The patient only: also list its hidden and erased records, marked as such. */
  includeHidden?: boolean;
}

/**
 * The records of `patient` this identity may see (metadata only; `readRecord` opens one). Erased and
 * hidden records are left out, unless the patient asks for them with `includeHidden`.
 *
 * @example
 * const { records } = await listRecords(client, patient);
 */
export function listRecords(
  client: Transport,
  patient: Address,
  options: ListRecordsOptions = {},
): Promise<RecordList> {
  const hidden = options.includeHidden ? '&includeHidden=true' : '';
  return client.call<RecordList>('GET', `/api/records?patient=${patient.toLowerCase()}${hidden}`);
}
