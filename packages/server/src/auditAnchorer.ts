/**
 * The audit anchorer: takes audit events from the outbox (the audit_events table, written before
 * any decision is answered) and anchors the Merkle root of each batch on chain, for the
 * organisation this gateway serves, from the chain's own next sequence number. After a crash it
 * simply starts again from where the chain says anchoring stopped, so no event is ever skipped or
 * anchored twice; the contract refuses gaps and overlaps. It runs once as soon as it starts, so a
 * restarted gateway anchors what its outbox holds at once.
 *
 * Each batch's leaves (event hash and per-patient tag, `auditTagger.ts`) are stored before the
 * root is sent, and reused if the gateway died before the batch was mined: the gateway later
 * serves exactly the leaves it anchored. A batch mined while the gateway was down is recorded
 * from the chain (its `AuditBatchAnchored` event) on the next run.
 *
 * It waits until the organisation has published this gateway's relayer on chain (`setGateway`):
 * only that account may anchor for the organisation.
 */
import { type AuditLeaf, buildAuditBatch } from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import type { AuditTagger } from './auditTagger.ts';
import { createPeriodicTask, type Exclusive } from './periodicTask.ts';
import type { GatewayStore } from './store/gatewayStore.ts';

export interface AuditAnchorerOptions {
  ledger: LedgerClient;
  store: GatewayStore;
  tagger: AuditTagger;
  /** The organisation this gateway anchors for, once there is one. */
  organisationId: () => Promise<number | undefined>;
  /** Taken around each run, so that one process of those sharing the store runs it at a time. */
  exclusive?: Exclusive;
  intervalMs?: number;
  maxBatchSize?: number;
  onError?: (error: unknown) => void;
}

export type AuditAnchorer = ReturnType<typeof createAuditAnchorer>;

export function createAuditAnchorer(options: AuditAnchorerOptions) {
  const { ledger, store, tagger, intervalMs = 1_000, maxBatchSize = 2_000 } = options;

  /** Anchors every event waiting in the outbox; resolves with how many it anchored. */
  async function anchorPending(): Promise<number> {
    const organisationId = await options.organisationId();
    if (!organisationId) return 0;
    const relayer = await ledger.read('consortium', 'gatewayRelayerOf', [organisationId]);
    if (relayer.toLowerCase() !== ledger.relayerAddress.toLowerCase()) return 0;
    await recordBatchesMinedWhileDown(organisationId);
    let anchored = 0;
    for (;;) {
      const next = Number(await ledger.read('auditAnchors', 'nextSequence', [organisationId]));
      const events = await store.auditEventsFrom(next, maxBatchSize);
      if (!events.length) return anchored;
      const batch = buildAuditBatch(await leavesFor(organisationId, next, events));
      const sent = await ledger.write('auditAnchors', 'anchorAuditBatch', [
        organisationId,
        BigInt(batch.firstSequence),
        BigInt(batch.count),
        batch.root,
      ]);
      const event = sent.events.find((item) => item.eventName === 'AuditBatchAnchored');
      const batchIndex = event && 'batchIndex' in event.args ? Number(event.args.batchIndex) : -1;
      await store.saveAuditBatch({
        batchIndex,
        firstSequence: batch.firstSequence,
        count: batch.count,
        root: batch.root,
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      });
      anchored += batch.count;
    }
  }

  /** The leaves of `events` (from sequence `first` on): those stored already, the others made and stored. */
  async function leavesFor(
    organisationId: number,
    first: number,
    events: Awaited<ReturnType<GatewayStore['auditEventsFrom']>>,
  ): Promise<AuditLeaf[]> {
    const stored = new Map(
      (await store.auditLeaves(first, events.length)).map((leaf) => [leaf.sequence, leaf] as const),
    );
    const missing = events.filter((event) => !stored.has(event.sequence ?? -1));
    const made = missing.length ? await tagger.leavesOf(organisationId, missing) : [];
    await store.saveAuditLeaves(made);
    for (const leaf of made) stored.set(leaf.sequence, leaf);
    return events.map((event) => stored.get(event.sequence ?? -1)!);
  }

  /** Saves the rows of batches the chain has but the store lacks (mined, then the gateway died). */
  async function recordBatchesMinedWhileDown(organisationId: number): Promise<void> {
    const onChain = Number(await ledger.read('auditAnchors', 'batchCount', [organisationId]));
    const known = new Set((await store.auditBatches()).map((batch) => batch.batchIndex));
    for (let batchIndex = 0; batchIndex < onChain; batchIndex++) {
      if (known.has(batchIndex)) continue;
      const batch = await ledger.read('auditAnchors', 'batch', [organisationId, BigInt(batchIndex)]);
      const logs = await ledger.events(batch.blockNumber, batch.blockNumber);
      const log = logs.find(
        (item) =>
          item.eventName === 'AuditBatchAnchored' &&
          Number(item.args.organisationId) === organisationId &&
          Number(item.args.batchIndex) === batchIndex,
      );
      if (!log?.transactionHash) throw new Error(`no AuditBatchAnchored event for batch ${batchIndex}`);
      await store.saveAuditBatch({
        batchIndex,
        firstSequence: Number(batch.firstSequence),
        count: Number(batch.count),
        root: batch.root,
        transactionHash: log.transactionHash,
        blockNumber: Number(batch.blockNumber),
      });
    }
  }

  const task = createPeriodicTask(anchorPending, intervalMs, options.onError, options.exclusive);
  return {
    anchorNow: task.runNow,
    start() {
      task.start();
      task.runNow().catch((error) => options.onError?.(error));
    },
    /** Stops the timer and anchors what is left, best effort (the outbox keeps it otherwise). */
    async stop() {
      await task.stop();
      await task.runNow().catch((error) => options.onError?.(error));
    },
  };
}
