/**
 * The gateway's audit log: access decisions numbered without gaps, the leaves and batches the
 * audit anchorer committed on chain.
 */
import type { Address, Hex } from 'viem';

export type AuditOutcome = 'allowed' | 'denied';

/** One access decision. Never holds health data: ids, addresses, categories and outcomes only. */
export interface AuditEventRow {
  /** Position in this gateway's audit log: 0, 1, 2, … without gaps; set by the store. */
  sequence?: number;
  eventId: string;
  recordedAt: number;
  actor: Address;
  patient: Address | null;
  action: string;
  recordId: Hex | null;
  category: number | null;
  sensitivity: number | null;
  purpose: string | null;
  outcome: AuditOutcome;
  reason: string | null;
}

/**
 * The leaf of an audit event as it was (or is about to be) anchored: its sequence number, event
 * hash and per-patient tag (`@medledger/core` audit). Kept apart from the event, so the gateway
 * serves exactly what it anchored.
 */
export interface AuditLeafRow {
  sequence: number;
  eventHash: Hex;
  tag: Hex;
}

/** A batch of audit events whose Merkle root is anchored on chain. */
export interface AuditBatchRow {
  batchIndex: number;
  firstSequence: number;
  count: number;
  root: Hex;
  transactionHash: Hex;
  blockNumber: number;
}

export interface AuditQuery {
  patient?: Address;
  actor?: Address;
  actors?: Address[];
  outcome?: AuditOutcome;
  /** Category index. */
  category?: number;
  /** Recorded at or after (unix ms). */
  since?: number;
  /** Recorded before (unix ms). */
  until?: number;
  /** Only events whose sequence is below this one (the paging cursor). */
  beforeSequence?: number;
  /** Newest first, at most this many (default 1000). */
  limit?: number;
}

export interface AuditStore {
  appendAuditEvents(events: AuditEventRow[]): Promise<void>;
  auditEvents(query: AuditQuery): Promise<AuditEventRow[]>;
  /** Events from `firstSequence` on, in order (the outbox of the audit anchorer). */
  auditEventsFrom(firstSequence: number, limit: number): Promise<AuditEventRow[]>;
  /** Stores leaves before their batch is anchored; a leaf already stored for a sequence is kept. */
  saveAuditLeaves(leaves: AuditLeafRow[]): Promise<void>;
  /** Stored leaves from `firstSequence` on, in order, at most `limit`. */
  auditLeaves(firstSequence: number, limit: number): Promise<AuditLeafRow[]>;
  saveAuditBatch(batch: AuditBatchRow): Promise<void>;
  auditBatches(): Promise<AuditBatchRow[]>;
}
