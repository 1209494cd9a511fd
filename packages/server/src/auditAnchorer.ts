/**
 * The audit anchorer: takes audit events from the outbox (the audit_events table, written before
 * any decision is answered) and anchors the Merkle root of each batch on chain, for the
 * organisation this gateway serves, from the chain's own next sequence number. After a crash it
 * simply starts again from where the chain says anchoring stopped, so no event is ever skipped or
 * anchored twice; the contract refuses gaps and overlaps.
 *
 * It waits until the organisation has published this gateway's relayer on chain (`setGateway`):
 * only that account may anchor for the organisation.
 */
import { buildAuditBatch, categories, sensitivities } from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import { createPeriodicTask } from './periodicTask.ts';
import type { AuditEventRow, GatewayStore } from './store/gatewayStore.ts';

export interface AuditAnchorerOptions {
  ledger: LedgerClient;
  store: GatewayStore;
  /** The organisation this gateway anchors for, once there is one. */
  organisationId: () => Promise<number | undefined>;
  intervalMs?: number;
  maxBatchSize?: number;
  onError?: (error: unknown) => void;
}

export type AuditAnchorer = ReturnType<typeof createAuditAnchorer>;

export function createAuditAnchorer(options: AuditAnchorerOptions) {
  const { ledger, store, intervalMs = 1_000, maxBatchSize = 2_000 } = options;
  /** Anchors every event waiting in the outbox; resolves with how many it anchored. */
  async function anchorPending(): Promise<number> {
    const organisationId = await options.organisationId();
    if (!organisationId) return 0;
    const relayer = await ledger.read('consortium', 'gatewayRelayerOf', [organisationId]);
    if (relayer.toLowerCase() !== ledger.relayerAddress.toLowerCase()) return 0;
    let anchored = 0;
    for (;;) {
      const next = Number(await ledger.read('auditAnchors', 'nextSequence', [organisationId]));
      const events = await store.auditEventsFrom(next, maxBatchSize);
      if (!events.length) return anchored;
      const batch = buildAuditBatch(events.map(toAuditEventInput));
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

  const task = createPeriodicTask(anchorPending, intervalMs, options.onError);
  return {
    anchorNow: task.runNow,
    start: task.start,
    /** Stops the timer and anchors what is left, best effort (the outbox keeps it otherwise). */
    async stop() {
      await task.stop();
      await task.runNow().catch((error) => options.onError?.(error));
    },
  };
}

/** The stored event as the audit leaf encodes it (vocabulary names, not indexes). */
export function toAuditEventInput(event: AuditEventRow) {
  if (event.sequence === undefined) throw new Error('audit event without a sequence');
  return {
    sequence: event.sequence,
    eventId: event.eventId,
    recordedAt: event.recordedAt,
    actor: event.actor,
    patient: event.patient,
    action: event.action,
    recordId: event.recordId,
    category: event.category === null ? null : (categories[event.category] ?? event.category),
    sensitivity: event.sensitivity === null ? null : (sensitivities[event.sensitivity] ?? event.sensitivity),
    purpose: event.purpose,
    outcome: event.outcome,
    reason: event.reason,
  };
}
