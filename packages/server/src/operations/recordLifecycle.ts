/**
 * The record lifecycle operations: relaying erasures, hidings and unhidings signed by their actor to the
 * RecordActions contract (which decides who may), auditing each, and what a gateway does about erasures
 * on its own: destroying its copies of erased records' blobs, and erasing hidden records whose retention
 * ended. Reads of erased records are refused where records are read (`operations/records.ts`).
 */
import type {
  ApproveAuthorErasureWindowBody,
  AuthorErasureWindow,
  AuthorErasureWindowVote,
  EraseRecordsBody,
  HideRecordBody,
  ProposeAuthorErasureWindowBody,
  RecordLifecycleChanged,
  RecordsErased,
  UnhideRecordBody,
} from '@medledger/api';
import { erasureReasonOfCode, NotFoundError, reasonOf } from '@medledger/core';
import type { SentTransaction } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { leafOf } from '../stamps.ts';
import type { BlobStore } from '../store/blobStore.ts';
import type { GatewayStore, RecordRow } from '../store/gatewayStore.ts';
import { transactionOf } from './sentTransactions.ts';
import { requireSigner, signedArgs } from './signedActions.ts';

/** How many due records one `finaliseRetention` transaction erases at most. */
const retentionBatch = 100;

/**
 * Relays erasures all signed by the caller (the patient's own records for reason 1, an admin of the
 * author's organisation for reason 2), in one transaction, and waits until this gateway indexed them (and
 * so destroyed its copies). Audited per record, allowed or denied. Throws `AccessDeniedError`
 * (`not_the_signer`, `record_action_not_authorised`, `record_erasure_window_closed`), `NotFoundError`
 * (`record_not_found`), `GoneError` (`record_erased`), or the ledger's errors.
 */
export async function eraseRecords(
  services: GatewayServices,
  session: Session,
  body: EraseRecordsBody,
): Promise<RecordsErased> {
  for (const erasure of body.erasures) requireSigner(session, erasure.by, 'erasure');
  const rows = await indexedRecords(
    services,
    body.erasures.map((erasure) => erasure.recordId as Hex),
  );
  const audit = (outcome: 'allowed' | 'denied', reason: (index: number) => string) =>
    Promise.all(
      rows.map((row, index) => auditAction(services, session.address, 'erase', row, outcome, reason(index))),
    );
  let sent: Awaited<ReturnType<GatewayServices['ledger']['write']>>;
  try {
    sent = await services.ledger.write('recordActions', 'erase', [
      body.erasures.map((erasure) => ({
        recordId: erasure.recordId as Hex,
        by: erasure.by as Address,
        reason: erasure.reason,
        nonce: BigInt(erasure.nonce),
        deadline: BigInt(erasure.deadline),
      })),
      rows.map(leafOf),
      body.erasures.map((erasure) => erasure.signature as Hex),
    ]);
  } catch (error) {
    await audit('denied', () => reasonOf(error));
    throw error;
  }
  await audit('allowed', (index) => erasureReasonOfCode(body.erasures[index]?.reason ?? 0) ?? 'erased');
  await catchUp(services);
  return { recordIds: rows.map((row) => row.recordId), ...transactionOf(sent) };
}

/** Relays the caller's signed hiding of `recordId` (the patient, or an admin of the author's organisation). */
export async function hideRecord(
  services: GatewayServices,
  session: Session,
  recordId: Hex,
  body: HideRecordBody,
): Promise<RecordLifecycleChanged> {
  const by = requireSigner(session, body.by, 'hiding');
  const [row] = await indexedRecords(services, [recordId]);
  const [nonce, deadline, signature] = signedArgs(body);
  return relayAudited(services, session, 'hide', row as RecordRow, () =>
    services.ledger.write('recordActions', 'hide', [
      { recordId: (row as RecordRow).recordId, by, retainUntil: BigInt(body.retainUntil), nonce, deadline },
      leafOf(row as RecordRow),
      signature,
    ]),
  );
}

/** Relays the patient's signed unhiding of `recordId`. */
export async function unhideRecord(
  services: GatewayServices,
  session: Session,
  recordId: Hex,
  body: UnhideRecordBody,
): Promise<RecordLifecycleChanged> {
  const by = requireSigner(session, body.by, 'unhiding');
  const [row] = await indexedRecords(services, [recordId]);
  const [nonce, deadline, signature] = signedArgs(body);
  return relayAudited(services, session, 'unhide', row as RecordRow, () =>
    services.ledger.write('recordActions', 'unhide', [
      { recordId: (row as RecordRow).recordId, by, nonce, deadline },
      signature,
    ]),
  );
}

/**
 * Destroys this gateway's copies of the blobs of erased records it has not destroyed yet, and notes
 * them destroyed. Run after each indexed erasure and at start (an erasure indexed before a crash).
 */
export async function destroyErasedBlobs(store: GatewayStore, blobs: BlobStore): Promise<number> {
  const pending = await store.erasuresWithBlob();
  for (const erasure of pending) if (erasure.cid) await blobs.delete(erasure.cid);
  await store.markBlobsDeleted(pending.map((erasure) => erasure.recordId));
  return pending.length;
}

/**
 * Erases (reason retention ended) the hidden records whose retention ended by the chain's clock, in
 * batches; any gateway may, the contract checks. Returns how many were erased.
 */
export async function finaliseDueRetentions(services: GatewayServices): Promise<number> {
  const now = Number((await services.ledger.block()).timestamp);
  const due = await services.store.retentionsDue(now, retentionBatch);
  if (!due.length) return 0;
  await services.ledger.write('recordActions', 'finaliseRetention', [due.map((row) => row.recordId)]);
  await catchUp(services);
  return due.length;
}

/** The consortium's author erasure window, as the chain has it now. */
export async function authorErasureWindow({ ledger }: GatewayServices): Promise<AuthorErasureWindow> {
  const [windowSeconds, version] = await ledger.read('recordActions', 'authorErasureWindow', []);
  return { windowSeconds: Number(windowSeconds), version: Number(version) };
}

/** Relays an admin's signed proposal of the author erasure window; its organisation votes for it. */
export async function proposeAuthorErasureWindow(
  services: GatewayServices,
  session: Session,
  body: ProposeAuthorErasureWindowBody,
): Promise<AuthorErasureWindowVote> {
  const admin = requireSigner(session, body.admin, 'window proposal');
  const sent = await services.ledger.write('recordActions', 'proposeAuthorErasureWindow', [
    BigInt(body.windowSeconds),
    admin,
    ...signedArgs(body),
  ]);
  const proposed = sent.events.find((event) => event.eventName === 'AuthorErasureWindowProposed');
  const proposalId = proposed && 'proposalId' in proposed.args ? Number(proposed.args.proposalId) : 0;
  return windowVote(sent, proposalId);
}

/** Relays an admin's signed approval; the window changes once two thirds of the organisations voted. */
export async function approveAuthorErasureWindow(
  services: GatewayServices,
  session: Session,
  proposalId: number,
  body: ApproveAuthorErasureWindowBody,
): Promise<AuthorErasureWindowVote> {
  const approver = requireSigner(session, body.approver, 'window approval');
  const sent = await services.ledger.write('recordActions', 'approveAuthorErasureWindow', [
    BigInt(proposalId),
    approver,
    ...signedArgs(body),
  ]);
  return windowVote(sent, proposalId);
}

function windowVote(sent: SentTransaction, proposalId: number): AuthorErasureWindowVote {
  return {
    proposalId,
    enacted: sent.events.some((event) => event.eventName === 'AuthorErasureWindowChanged'),
    transactionHash: sent.hash,
  };
}

/** The indexed rows of `recordIds` (indexing first if needed); `NotFoundError` for one the index lacks. */
async function indexedRecords(services: GatewayServices, recordIds: readonly Hex[]): Promise<RecordRow[]> {
  const rows: RecordRow[] = [];
  for (const recordId of recordIds) {
    const row = await services.indexer.record(recordId.toLowerCase() as Hex);
    if (!row) throw new NotFoundError(`No record ${recordId}.`, { reason: 'record_not_found' });
    rows.push(row);
  }
  return rows;
}

async function relayAudited(
  services: GatewayServices,
  session: Session,
  action: 'hide' | 'unhide',
  row: RecordRow,
  send: () => ReturnType<GatewayServices['ledger']['write']>,
): Promise<RecordLifecycleChanged> {
  let sent: Awaited<ReturnType<typeof send>>;
  try {
    sent = await send();
  } catch (error) {
    await auditAction(services, session.address, action, row, 'denied', reasonOf(error));
    throw error;
  }
  await auditAction(
    services,
    session.address,
    action,
    row,
    'allowed',
    action === 'hide' ? 'hidden' : 'shown',
  );
  await catchUp(services);
  return { recordId: row.recordId, ...transactionOf(sent) };
}

function auditAction(
  { auditLog }: GatewayServices,
  actor: Address,
  action: string,
  row: RecordRow,
  outcome: 'allowed' | 'denied',
  reason: string,
) {
  return auditLog.record({
    actor,
    patient: row.patient,
    action,
    recordId: row.recordId,
    category: row.category,
    sensitivity: row.sensitivity,
    purpose: null,
    outcome,
    reason,
  });
}

async function catchUp({ indexer, eventFollower }: GatewayServices): Promise<void> {
  await indexer.sync();
  await eventFollower.sync();
}
