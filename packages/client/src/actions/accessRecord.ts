import type { RecordAccess } from '@medledger/api';
import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * The raw answer of one gateway to a read: the record's envelope, and its data key resealed to the
 * reader or this gateway's key share (`readRecord` checks and opens it).
 *
 * @example
 * const { envelope, sealedShare } = await accessRecord(client, recordId, 'TREAT');
 */
export function accessRecord(client: Transport, recordId: Hex, purpose?: string): Promise<RecordAccess> {
  return client.call<RecordAccess>(
    'POST',
    `/api/records/${recordId.toLowerCase()}/access`,
    purpose ? { purpose } : {},
  );
}
