/**
 * A record's anchor as the chain holds it now, compared with the gateway's index row. The index is
 * only a copy of the chain's events: after the chain lost blocks, or if the store was altered, it
 * can hold records the chain does not. Nothing that releases key material trusts it alone.
 */
import {
  anchoredLeafHash,
  erasureReasonOfCode,
  GoneError,
  IntegrityError,
  NotFoundError,
} from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import type { Hex } from 'viem';
import { leafOf } from './stamps.ts';
import type { RecordRow } from './store/gatewayStore.ts';

/** `anchored`: the chain holds this very record; `missing`: no anchor; `mismatch`: another leaf or patient. */
export type RecordAnchorStatus = 'anchored' | 'missing' | 'mismatch';

/**
 * Reads the anchor of `row`'s record from the Records contract, at `blockNumber` if given (the
 * block an access decision was taken at), else at the latest block. Throws
 * `LedgerUnavailableError` when the chain cannot be read.
 */
export async function recordAnchorStatus(
  ledger: LedgerClient,
  row: RecordRow,
  blockNumber?: bigint,
): Promise<RecordAnchorStatus> {
  const anchor = await ledger.read('records', 'anchorOf', [row.recordId], blockNumber);
  if (anchor.anchoredAt === 0n) return 'missing';
  const sameLeaf = anchor.leaf.toLowerCase() === anchoredLeafHash(leafOf(row)).toLowerCase();
  const samePatient = anchor.patient.toLowerCase() === row.patient.toLowerCase();
  return sameLeaf && samePatient ? 'anchored' : 'mismatch';
}

/**
 * Throws `GoneError` (reason `record_erased`, fields `erasedAt`, `by`, `reason`) if the RecordActions
 * contract erased `recordId` by `blockNumber` (else the latest block); `LedgerUnavailableError` when the
 * chain cannot be read.
 */
export async function requireNotErased(
  ledger: LedgerClient,
  recordId: Hex,
  blockNumber?: bigint,
): Promise<void> {
  const [erasedAt, by, reason] = await ledger.read('recordActions', 'erasureOf', [recordId], blockNumber);
  if (erasedAt === 0n) return;
  throw new GoneError(`Record ${recordId} was erased: its content and keys were destroyed.`, {
    reason: 'record_erased',
    fields: { erasedAt: Number(erasedAt), by, reason: erasureReasonOfCode(reason) ?? String(reason) },
  });
}

/**
 * Resolves when the chain anchors exactly the indexed record and has not erased it; otherwise throws
 * `NotFoundError` (reason `record_not_on_chain`), `IntegrityError` (reason `record_anchor_mismatch`),
 * `GoneError` (reason `record_erased`, see `requireNotErased`) or, when the chain cannot be read,
 * `LedgerUnavailableError`. Both are read at the same block. Call before releasing a data key or a key share.
 */
export async function requireRecordAnchored(
  ledger: LedgerClient,
  row: RecordRow,
  blockNumber?: bigint,
): Promise<void> {
  const [status] = await Promise.all([
    recordAnchorStatus(ledger, row, blockNumber),
    requireNotErased(ledger, row.recordId, blockNumber),
  ]);
  const at = blockNumber === undefined ? 'now' : `at block ${blockNumber}`;
  if (status === 'missing') {
    throw new NotFoundError(`Record ${row.recordId} is not anchored on the ledger ${at}.`, {
      reason: 'record_not_on_chain',
    });
  }
  if (status === 'mismatch') {
    throw new IntegrityError(
      `Record ${row.recordId} is anchored on the ledger with other fields than this gateway indexed.`,
      { reason: 'record_anchor_mismatch' },
    );
  }
}
