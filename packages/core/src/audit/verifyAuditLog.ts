/**
 * Offline verification of audit events against the batch roots anchored on chain (flows 7, 8).
 *
 * What can be proved, and how the gateway should answer a patient (the chosen approach):
 *
 * 1. *Edited or reordered events, forged proofs.* Each event comes with its inclusion proof; its
 *    hash and sequence number form the leaf, so an event whose content or sequence number was
 *    changed (two events swapped, say) no longer proves against the anchored root.
 * 2. *A batch that is not the anchored one.* When the gateway discloses every leaf
 *    `(sequence, eventHash)` of a batch, the caller rebuilds the batch's root and compares it
 *    with the anchored one; the leaves must cover every sequence of the batch exactly once.
 *    Handing out other people's event hashes reveals nothing about them: each hash covers a
 *    random event id (`auditEvent.ts`).
 * 3. *Deleted or withheld events.* A Merkle proof shows that an event is in a batch, never that
 *    nothing else concerning the patient is. The anchored sequence is gap-free per organisation,
 *    so with every leaf of a batch (2.) the caller knows exactly which sequence numbers exist;
 *    which of them are the patient's, however, the opaque hashes cannot tell (by design, for
 *    privacy). So the caller says which sequences it must receive events for (`expect`): `'all'`
 *    for a complete audit of an organisation's log (an auditor or the organisation's admin,
 *    who receive every event), or the sequence numbers it learnt elsewhere (e.g. returned by the
 *    gateway when the patient's own requests were decided, or from an earlier fetch of the
 *    log). Every expected sequence without a valid event is reported as missing.
 *
 * The anchored batches themselves (root, first sequence, count) must come from the chain
 * (`AuditAnchors.batch`), not from the gateway.
 */
import type { Hex } from 'viem';
import { MedledgerError } from '../errors.ts';
import { type AuditEventInput, auditEventLeaf, auditSequence } from './auditEvent.ts';
import {
  type AnchoredAuditBatch,
  type AuditLeaf,
  auditBatchFromLeaves,
  verifyAuditLeafInclusion,
} from './auditMerkle.ts';

export type AuditProblemKind =
  /** A batch is malformed (count 0, bad root) or overlaps another. */
  | 'invalid-batch'
  /** An event is malformed (it cannot be encoded). */
  | 'invalid-event'
  /** An event's sequence number is in no anchored batch given. */
  | 'not-anchored'
  /** An event does not prove against its batch's root: edited, reordered, or a wrong proof. */
  | 'proof-failed'
  /** Two different events with the same sequence number. */
  | 'duplicate-event'
  /** The disclosed leaves of a batch do not cover its sequences exactly once. */
  | 'incomplete-leaves'
  /** The disclosed leaves of a batch do not rebuild its anchored root. */
  | 'root-mismatch'
  /** An event differs from the disclosed leaf at its sequence number. */
  | 'leaf-mismatch'
  /** An expected sequence number has no valid event: deleted or withheld. */
  | 'missing-event';

export type AuditProblem = {
  kind: AuditProblemKind;
  /** The sequence number concerned, if any. */
  sequence?: number;
  /** The index in `batches` of the batch concerned, if any. */
  batch?: number;
  message: string;
};

export type VerifyAuditLogParameters = {
  /** The anchored batches to check against (from the chain), in any order. */
  batches: readonly AnchoredAuditBatch[];
  /** The events received, each with its inclusion proof (optional when its batch's leaves are given). */
  events: readonly { event: AuditEventInput; proof?: readonly Hex[] }[];
  /** Every leaf of some of the batches (all or none of a batch's leaves). */
  leaves?: readonly AuditLeaf[];
  /** The sequence numbers that must have a valid event: `'all'` for every sequence of every batch. */
  expect?: 'all' | Iterable<number | bigint>;
};

export type VerifyAuditLogReturnType = { ok: boolean; problems: AuditProblem[] };

type Batch = { index: number; first: number; count: number; root: Hex };

/**
 * Checks audit events against anchored batch roots; never throws on bad data, it reports it.
 *
 * @example
 * const { ok, problems } = verifyAuditLog({ batches: anchoredFromChain, events, leaves, expect: 'all' });
 */
export function verifyAuditLog(parameters: VerifyAuditLogParameters): VerifyAuditLogReturnType {
  const problems: AuditProblem[] = [];
  const report = (problem: AuditProblem) => problems.push(problem);

  // The batches.
  const batches: Batch[] = [];
  for (const [index, batch] of parameters.batches.entries()) {
    try {
      const first = auditSequence(batch.firstSequence);
      const count = auditSequence(batch.count);
      if (count === 0 || !Number.isSafeInteger(first + count)) throw new Error('count out of range');
      if (
        typeof batch.root !== 'string' ||
        !/^0x[0-9a-fA-F]{64}$/.test(batch.root) ||
        /^0x0{64}$/.test(batch.root)
      ) {
        throw new Error('root is not 32 non-zero bytes');
      }
      batches.push({ index, first, count, root: batch.root.toLowerCase() as Hex });
    } catch (error) {
      report({
        kind: 'invalid-batch',
        batch: index,
        message: `Batch ${index} is malformed: ${messageOf(error)}.`,
      });
    }
  }
  batches.sort((a, b) => a.first - b.first);
  for (let i = 1; i < batches.length; i++) {
    const previous = batches[i - 1]!;
    const batch = batches[i]!;
    if (batch.first < previous.first + previous.count) {
      report({
        kind: 'invalid-batch',
        batch: batch.index,
        message: `Batch ${batch.index} overlaps batch ${previous.index}.`,
      });
    }
  }
  const batchOf = (sequence: number): Batch | undefined => {
    let low = 0;
    let high = batches.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const batch = batches[middle]!;
      if (sequence < batch.first) high = middle - 1;
      else if (sequence >= batch.first + batch.count) low = middle + 1;
      else return batch;
    }
    return undefined;
  };

  // The disclosed leaves, batch by batch: complete, and rebuilding the anchored root.
  const disclosed = new Map<number, Hex>();
  const leavesByBatch = new Map<Batch, AuditLeaf[]>();
  for (const leaf of parameters.leaves ?? []) {
    let sequence: number;
    try {
      sequence = auditSequence(leaf.sequence);
    } catch (error) {
      report({ kind: 'incomplete-leaves', message: `A leaf is malformed: ${messageOf(error)}` });
      continue;
    }
    const batch = batchOf(sequence);
    if (!batch) {
      report({ kind: 'not-anchored', sequence, message: `Leaf ${sequence} is in no anchored batch.` });
      continue;
    }
    const list = leavesByBatch.get(batch) ?? [];
    list.push({ sequence, eventHash: leaf.eventHash });
    leavesByBatch.set(batch, list);
  }
  for (const [batch, leaves] of leavesByBatch) {
    const sequences = new Set(leaves.map((leaf) => leaf.sequence));
    if (leaves.length !== batch.count || sequences.size !== batch.count) {
      report({
        kind: 'incomplete-leaves',
        batch: batch.index,
        message: `Batch ${batch.index} has ${batch.count} events; ${sequences.size} distinct leaves were disclosed (${leaves.length} in all).`,
      });
      continue;
    }
    let root: Hex;
    try {
      root = auditBatchFromLeaves(leaves).root;
    } catch (error) {
      report({
        kind: 'incomplete-leaves',
        batch: batch.index,
        message: `Batch ${batch.index}: ${messageOf(error)}`,
      });
      continue;
    }
    if (root !== batch.root) {
      report({
        kind: 'root-mismatch',
        batch: batch.index,
        message: `The leaves of batch ${batch.index} give root ${root}, not the anchored ${batch.root}.`,
      });
      continue;
    }
    for (const leaf of leaves) disclosed.set(leaf.sequence, leaf.eventHash.toLowerCase() as Hex);
  }

  // The events.
  const verified = new Map<number, Hex>();
  for (const { event, proof } of parameters.events) {
    let sequence: number;
    let eventHash: Hex;
    try {
      sequence = auditSequence(event?.sequence);
      eventHash = auditEventLeaf(event);
    } catch (error) {
      report({ kind: 'invalid-event', message: `An event is malformed: ${messageOf(error)}` });
      continue;
    }
    const seen = verified.get(sequence);
    if (seen !== undefined) {
      if (seen !== eventHash) {
        report({
          kind: 'duplicate-event',
          sequence,
          message: `Two different events have sequence ${sequence}.`,
        });
        verified.delete(sequence);
      }
      continue;
    }
    const batch = batchOf(sequence);
    if (!batch) {
      report({ kind: 'not-anchored', sequence, message: `Event ${sequence} is in no anchored batch.` });
      continue;
    }
    const leafHash = disclosed.get(sequence);
    if (leafHash !== undefined && leafHash !== eventHash) {
      report({
        kind: 'leaf-mismatch',
        sequence,
        batch: batch.index,
        message: `Event ${sequence} is not the event anchored at that sequence number (edited or reordered).`,
      });
      continue;
    }
    if (leafHash === undefined || proof !== undefined) {
      let proved = false;
      try {
        proved =
          proof !== undefined &&
          verifyAuditLeafInclusion({ root: batch.root, leaf: { sequence, eventHash }, proof });
      } catch {
        proved = false;
      }
      if (!proved) {
        report({
          kind: 'proof-failed',
          sequence,
          batch: batch.index,
          message: `Event ${sequence} does not prove against the root of batch ${batch.index} (edited, reordered or wrong proof).`,
        });
        continue;
      }
    }
    verified.set(sequence, eventHash);
  }

  // Completeness.
  const expected: Iterable<number> =
    parameters.expect === 'all'
      ? (function* () {
          for (const batch of batches) for (let s = batch.first; s < batch.first + batch.count; s++) yield s;
        })()
      : [...(parameters.expect ?? [])].flatMap((value) => {
          try {
            return [auditSequence(value)];
          } catch (error) {
            report({
              kind: 'invalid-event',
              message: `An expected sequence is malformed: ${messageOf(error)}`,
            });
            return [];
          }
        });
  for (const sequence of expected) {
    if (verified.has(sequence)) continue;
    const batch = batchOf(sequence);
    report({
      kind: 'missing-event',
      sequence,
      ...(batch ? { batch: batch.index } : {}),
      message: `No valid event was given for sequence ${sequence} (deleted or withheld).`,
    });
  }
  problems.sort((a, b) => (a.sequence ?? -1) - (b.sequence ?? -1));
  return { ok: problems.length === 0, problems };
}

function messageOf(error: unknown): string {
  if (error instanceof MedledgerError) return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}
