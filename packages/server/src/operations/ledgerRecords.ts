/**
 * The record anchors this gateway has indexed, for anyone to check against the chain
 * (`medledger verify`): a record the gateway knows but the chain lacks, or knows otherwise, shows
 * that its index (and what it serves from it) is not the ledger's. Only what the chain publishes
 * in its `RecordAnchored` events: ids, addresses, category codes, digests, times and blocks.
 */
import {
  type IndexedRecordAnchor,
  type IndexedRecordAnchorPage,
  ledgerRecordsPageSize,
} from '@medledger/api';
import type { Address, Hex } from 'viem';
import type { GatewayServices } from '../gatewayServices.ts';
import type { RecordRow } from '../store/gatewayStore.ts';

/**
 * A page of indexed record anchors (of `patient` only, if given) in the order of record ids, after
 * `after` (from the first if absent), of `limit` entries (default and cap in `ledgerRecordsPageSize`). `next` is the `after`
 * of the next page, null after the last. Public: no session.
 */
export async function indexedRecordAnchors(
  services: GatewayServices,
  input: { after?: Hex | undefined; limit?: number | undefined; patient?: Address | undefined },
): Promise<IndexedRecordAnchorPage> {
  const limit = Math.min(input.limit ?? ledgerRecordsPageSize.default, ledgerRecordsPageSize.max);
  const after = (input.after?.toLowerCase() as Hex | undefined) ?? null;
  const rows = await services.store.recordsPage(after, limit, input.patient);
  return {
    records: rows.map(describeAnchor),
    next: rows.length === limit ? (rows.at(-1)?.recordId ?? null) : null,
  };
}

function describeAnchor(row: RecordRow): IndexedRecordAnchor {
  return {
    recordId: row.recordId,
    patient: row.patient,
    author: row.author,
    organisationId: row.organisationId,
    category: row.category,
    sensitivity: row.sensitivity,
    contentDigest: row.contentDigest,
    cid: row.cid,
    supersedes: row.supersedes,
    createdAt: row.createdAt,
    blockNumber: row.blockNumber,
    transactionHash: row.transactionHash,
  };
}
