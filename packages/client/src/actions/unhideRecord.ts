import type { RecordLifecycleChanged } from '@medledger/api';
import { recordActionsTypes } from '@medledger/core';
import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * As the patient: shows a hidden record again, before its retention ended.
 *
 * @example
 * await unhideRecord(patient, recordId);
 */
export async function unhideRecord(client: Transport, recordId: Hex): Promise<RecordLifecycleChanged> {
  const by = client.account.address;
  const signed = await client.signAction('recordActions', recordActionsTypes, 'Unhide', { recordId, by });
  return client.call<RecordLifecycleChanged>('POST', `/api/records/${recordId}/unhide`, { by, ...signed });
}
