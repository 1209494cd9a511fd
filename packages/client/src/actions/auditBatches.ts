import type { AuditBatchPage } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * Every leaf of this gateway's anchored audit batches, a page of whole batches from batch `from` on.
 *
 * @example
 * const { batches, nextBatch } = await auditBatches(patient, 0);
 */
export function auditBatches(client: Transport, from = 0): Promise<AuditBatchPage> {
  return client.call<AuditBatchPage>('GET', `/api/audit/batches?from=${from}`);
}
