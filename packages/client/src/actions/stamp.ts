import type { RecordStamp } from '@medledger/api';
import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * A record's stamp: final or draft, and who signed it.
 *
 * @example
 * const { stamp } = await stamp(client, recordId);
 */
export function stamp(client: Transport, recordId: Hex): Promise<RecordStamp> {
  return client.call<RecordStamp>('GET', `/api/records/${recordId}/stamp`);
}
