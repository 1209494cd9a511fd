import type { RecordLifecycleChanged } from '@medledger/api';
import { recordActionsTypes } from '@medledger/core';
import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * Hides (soft-deletes) a record, as its patient or an admin of its author's organisation: it leaves the
 * lists; the patient may restore it until `retainUntil` (unix seconds; 0, the default, for no end), after
 * which any gateway erases it for good.
 *
 * @example
 * await hideRecord(patient, recordId, Math.floor(Date.now() / 1000) + 30 * 86400);
 */
export async function hideRecord(
  client: Transport,
  recordId: Hex,
  retainUntil = 0,
): Promise<RecordLifecycleChanged> {
  const by = client.account.address;
  const signed = await client.signAction('recordActions', recordActionsTypes, 'Hide', {
    recordId,
    by,
    retainUntil: BigInt(retainUntil),
  });
  return client.call<RecordLifecycleChanged>('POST', `/api/records/${recordId}/hide`, {
    by,
    retainUntil,
    ...signed,
  });
}
