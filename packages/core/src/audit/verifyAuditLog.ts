/**
 * Offline verification of audit events against the batch roots anchored on chain (flows 7, 8).
 *
 * What can be proved, and how the gateway should answer a patient (the chosen approach):
 *
 * 1. *A batch that is not the anchored one.* The gateway discloses every leaf
 *    `(sequence, eventHash, tag)` of a batch; the caller rebuilds the batch's root and compares it
 *    with the anchored one; the leaves must cover every sequence of the batch exactly once.
 *    Handing out other people's leaves reveals nothing about them: each event hash covers a
 *    random event id (`auditEvent.ts`) and each tag is keyed (`auditTag.ts`).
 * 2. *Edited events, forged proofs.* An event must hash to the leaf at its sequence number (or,
 *    without the batch's leaves, come with its tag and an inclusion proof); one whose content or
 *    sequence number was changed does not.
 * 3. *Reordered events.* An event served at a sequence number whose leaf it does not match, but
 *    that is exactly the event anchored at another sequence number, is reported as moved there.
 * 4. *Withheld (or deleted) events.* A Merkle proof shows that an event is in a batch, never that
 *    nothing else concerning the patient is. Each leaf carries a tag that only the patient and
 *    the gateway can compute (`auditLeafTag(tagKey, sequence)`): given its `tagKey`, the caller
 *    recognises its own leaves among all the leaves of the batches, and every one of them must be
 *    matched by a valid event. Besides, `expect` lists sequence numbers that must have an event:
 *    `'all'` for a complete audit of an organisation's log (its admin or an auditor, who receive
 *    every event), or numbers learnt elsewhere.
 *
 * The anchored batches themselves (root, first sequence, count) must come from the chain
 * (`AuditAnchors.batch`), not from the gateway. What is out of reach: an event the gateway never
 * wrote, or tagged for nobody when it anchored it (that is, lied from the start); the anchor makes
 * whatever it committed to unchangeable afterwards.
 */
import type { Hex } from 'viem';
import { MedledgerError } from '../errors.ts';
import { type AuditEventInput, auditEventLeaf, auditSequence } from './auditEvent.ts';
import {
  type AnchoredAuditBatch,
  type AuditLeaf,
  buildAuditBatch,
  verifyAuditLeafInclusion,
} from './auditMerkle.ts';
import { auditLeafTag } from './auditTag.ts';

export type AuditProblemKind =
  /** A batch is malformed (count 0, bad root) or overlaps another. */
  | 'invalid-batch'
  /** An event is malformed (it cannot be encoded). */
  | 'invalid-event'
  /** An event's sequence number is in no anchored batch given. */
  | 'not-anchored'
  /** An event does not prove against its batch's root: edited, or a wrong proof or tag. */
  | 'proof-failed'
  /** Two different events with the same sequence number. */
  | 'duplicate-event'
  /** The disclosed leaves of a batch do not cover its sequences exactly once (or were not disclosed). */
  | 'incomplete-leaves'
  /** The disclosed leaves of a batch do not rebuild its anchored root. */
  | 'root-mismatch'
  /** An event differs from the disclosed leaf at its sequence number: edited. */
  | 'leaf-mismatch'
  /** An event was served at another sequence number than the one it is anchored at. */
  | 'reordered-event'
  /** A leaf bearing the caller's tag has no event: the gateway withheld or deleted it. */
  | 'withheld-event'
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
  /**
   * The events received. Each needs its leaf disclosed in `leaves`, or else its `tag` and its
   * inclusion `proof`.
   */
  events: readonly { event: AuditEventInput; tag?: Hex; proof?: readonly Hex[] }[];
  /** Every leaf of some of the batches (all or none of a batch's leaves). */
  leaves?: readonly AuditLeaf[];
  /** The caller's tag key (`auditTagKey`): every disclosed leaf bearing its tag must have an event. */
  tagKey?: Uint8Array;
  /** The sequence numbers that must have a valid event: `'all'` for every sequence of every batch. */
  expect?: 'all' | Iterable<number | bigint>;
};

export type VerifyAuditLogReturnType = { ok: boolean; problems: AuditProblem[] };

type Batch = { index: number; first: number; count: number; root: Hex };

/** How many mismatched events are compared with one another to tell a reorder from an edit. */
const maxReorderCandidates = 256;

/**
 * Checks audit events against anchored batch roots; never throws on bad data, it reports it.
 *
 * @example
 * const { ok, problems } = verifyAuditLog({ batches: anchoredFromChain, events, leaves, tagKey });
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
  const disclosed = new Map<number, AuditLeaf>();
  const leavesByBatch = new Map<Batch, AuditLeaf[]>();
  for (const leaf of parameters.leaves ?? []) {
    let sequence: number;
    try {
      sequence = auditSequence(leaf?.sequence);
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
    list.push(leaf);
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
    let built: ReturnType<typeof buildAuditBatch>;
    try {
      built = buildAuditBatch(leaves);
    } catch (error) {
      report({
        kind: 'incomplete-leaves',
        batch: batch.index,
        message: `Batch ${batch.index}: ${messageOf(error)}`,
      });
      continue;
    }
    if (built.root !== batch.root) {
      report({
        kind: 'root-mismatch',
        batch: batch.index,
        message: `The leaves of batch ${batch.index} give root ${built.root}, not the anchored ${batch.root}.`,
      });
      continue;
    }
    for (const leaf of built.leaves) disclosed.set(leaf.sequence, leaf);
  }

  // The events.
  const verified = new Map<number, Hex>();
  /** Events that match no leaf at their sequence number: edited, or moved. */
  const mismatched: { sequence: number; batch: Batch; event: AuditEventInput }[] = [];
  for (const { event, tag, proof } of parameters.events) {
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
    const leaf = disclosed.get(sequence);
    if (leaf) {
      if (leaf.eventHash !== eventHash) {
        mismatched.push({ sequence, batch, event });
        continue;
      }
    } else {
      let proved = false;
      try {
        proved =
          proof !== undefined &&
          tag !== undefined &&
          verifyAuditLeafInclusion({ root: batch.root, leaf: { sequence, eventHash, tag }, proof });
      } catch {
        proved = false;
      }
      if (!proved) {
        report({
          kind: 'proof-failed',
          sequence,
          batch: batch.index,
          message: `Event ${sequence} does not prove against the root of batch ${batch.index} (edited, or a wrong proof or tag).`,
        });
        continue;
      }
    }
    verified.set(sequence, eventHash);
  }

  // The caller's own leaves, by their tags.
  const ownLeaves: number[] = [];
  if (parameters.tagKey) {
    for (const leaf of disclosed.values()) {
      if (leaf.tag === auditLeafTag(parameters.tagKey, leaf.sequence)) ownLeaves.push(leaf.sequence);
    }
  }

  // An event that matches no leaf at its own sequence number but exactly the leaf at another
  // (one whose event is missing) was moved there; otherwise it was edited.
  const accounted = new Set<number>();
  const candidates = [
    ...new Set([
      ...mismatched.map((item) => item.sequence),
      ...ownLeaves.filter((sequence) => !verified.has(sequence)),
    ]),
  ].slice(0, maxReorderCandidates);
  for (const { sequence, batch, event } of mismatched) {
    const anchoredAt =
      mismatched.length <= maxReorderCandidates
        ? candidates.find(
            (other) =>
              other !== sequence &&
              !verified.has(other) &&
              disclosed.get(other)?.eventHash === eventHashAt(event, other),
          )
        : undefined;
    if (anchoredAt !== undefined) {
      accounted.add(anchoredAt);
      report({
        kind: 'reordered-event',
        sequence,
        batch: batch.index,
        message: `The event served at sequence ${sequence} is the one anchored at sequence ${anchoredAt} (reordered).`,
      });
    } else {
      report({
        kind: 'leaf-mismatch',
        sequence,
        batch: batch.index,
        message: `Event ${sequence} is not the event anchored at that sequence number (edited).`,
      });
    }
    accounted.add(sequence);
  }

  // Completeness.
  for (const sequence of ownLeaves) {
    if (verified.has(sequence) || accounted.has(sequence)) continue;
    accounted.add(sequence);
    const batch = batchOf(sequence);
    report({
      kind: 'withheld-event',
      sequence,
      ...(batch ? { batch: batch.index } : {}),
      message: `Event ${sequence} concerns you (its anchored leaf bears your tag) but was not given: withheld or deleted.`,
    });
  }
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
  const failed = new Set(
    problems.flatMap((problem) => (problem.sequence === undefined ? [] : [problem.sequence])),
  );
  for (const sequence of expected) {
    if (verified.has(sequence) || accounted.has(sequence) || failed.has(sequence)) continue;
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

function eventHashAt(event: AuditEventInput, sequence: number): Hex | undefined {
  try {
    return auditEventLeaf({ ...event, sequence });
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof MedledgerError) return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}
