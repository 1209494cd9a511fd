/**
 * A patient's check of its access history at one gateway, against the chain rather than the
 * gateway's word:
 * - the batches (root, first sequence, count) come from the AuditAnchors contract, the
 *   organisation's and the patient's encryption keys from the Consortium contract;
 * - the gateway discloses every leaf of every anchored batch, and each batch must rebuild to its
 *   anchored root (a batch whose leaves are not disclosed is reported);
 * - each of the patient's events must match the leaf at its sequence number (edited and moved
 *   events are reported);
 * - the patient recognises its own leaves by their tags (a key only it and the gateway can derive,
 *   `auditTagKey`), and each must be matched by one of its events: a withheld event is reported.
 */

import type { AuditBatchPage } from '@medledger/api';
import { type AuditLeaf, type AuditProblem, auditTagKey, categories, verifyAuditLog } from '@medledger/core';
import { createChainReader } from '@medledger/ledger';
import type { Transport } from '../transport.ts';
import { auditBatches } from './auditBatches.ts';
import { auditProofs } from './auditProofs.ts';

export interface AuditTrailReport {
  gateway: string;
  organisationId: number | null;
  /** The patient's events this gateway gave. */
  events: number;
  /** Of those, the ones in an anchored batch. */
  anchored: number;
  awaitingAnchor: number;
  /** Leaves of the organisation's anchored batches checked against the chain. */
  leaves: number;
  /** Whether the patient could recognise its own leaves (it is registered with this identity's key). */
  recognisesOwnLeaves: boolean;
  ok: boolean;
  problems: AuditProblem[];
  /** Each of the patient's events this gateway gave, with what its check found. */
  checked: AuditEventCheck[];
}

/** One event of a patient's history and the outcome of its check against the chain. */
export interface AuditEventCheck {
  sequence: number;
  /** When the gateway recorded it, Unix milliseconds. */
  recordedAt: number;
  actor: string;
  action: string;
  recordId: string | null;
  category: string | null;
  /** The access decision recorded (allowed, denied). */
  outcome: string;
  /** `verified`: proven against an anchored root; `awaiting-anchor`: not anchored yet; `problem`: see `problems`. */
  verification: 'verified' | 'awaiting-anchor' | 'problem';
}

export interface VerifyAuditTrailOptions {
  /** The chain to check against; by default the one the gateway names. */
  rpcUrl?: string;
  /** The organisation whose log this gateway keeps (from the chain); by default the gateway's word. */
  organisationId?: number;
}

/**
 * @example
 * const report = await verifyAuditTrail(createGatewayClient({ url, identity: patient }));
 * if (!report.ok) console.error(report.problems);
 */
export async function verifyAuditTrail(
  client: Transport,
  options: VerifyAuditTrailOptions = {},
): Promise<AuditTrailReport> {
  const [proofs, info] = await Promise.all([auditProofs(client), client.ledger()]);
  const organisationId = options.organisationId ?? proofs.organisationId;
  const report: AuditTrailReport = {
    gateway: client.url,
    organisationId,
    events: proofs.events.length,
    anchored: 0,
    awaitingAnchor: 0,
    leaves: 0,
    recognisesOwnLeaves: false,
    ok: true,
    problems: [],
    checked: [],
  };
  const check = (
    { event }: (typeof proofs.events)[number],
    verification: AuditEventCheck['verification'],
  ): AuditEventCheck => ({
    sequence: event.sequence,
    recordedAt: event.recordedAt,
    actor: event.actor,
    action: event.action,
    recordId: event.recordId,
    category: typeof event.category === 'number' ? (categories[event.category] ?? null) : event.category,
    outcome: event.outcome,
    verification,
  });
  if (organisationId === null) {
    report.awaitingAnchor = proofs.events.length;
    report.checked = proofs.events.map((item) => check(item, 'awaiting-anchor'));
    return report;
  }
  const chain = createChainReader({ rpcUrl: options.rpcUrl ?? info.rpcUrl, contracts: info.contracts });
  const [nextSequence, batchCount, organisation, registration] = await Promise.all([
    chain.read('auditAnchors', 'nextSequence', [organisationId]),
    chain.read('auditAnchors', 'batchCount', [organisationId]),
    chain.read('consortium', 'organisation', [organisationId]),
    chain.read('consortium', 'patient', [client.address]),
  ]);
  const anchoredBatches = await Promise.all(
    Array.from({ length: Number(batchCount) }, (_, batchIndex) =>
      chain.read('auditAnchors', 'batch', [organisationId, BigInt(batchIndex)]),
    ),
  );

  // Every leaf of every anchored batch, as the gateway discloses them.
  const leaves: AuditLeaf[] = [];
  const disclosed = new Set<number>();
  for (let from: number | null = 0; from !== null && from < anchoredBatches.length; ) {
    const page: AuditBatchPage = await auditBatches(client, from);
    for (const batch of page.batches) {
      if (
        batch.batchIndex < from ||
        batch.batchIndex >= anchoredBatches.length ||
        disclosed.has(batch.batchIndex)
      )
        continue;
      disclosed.add(batch.batchIndex);
      leaves.push(...batch.leaves);
    }
    from = page.nextBatch !== null && page.nextBatch > from ? page.nextBatch : null;
  }
  for (const [batchIndex, batch] of anchoredBatches.entries()) {
    if (disclosed.has(batchIndex)) continue;
    report.problems.push({
      kind: 'incomplete-leaves',
      batch: batchIndex,
      message: `The gateway did not disclose the leaves of anchored batch ${batchIndex} (sequences ${batch.firstSequence} to ${batch.firstSequence + batch.count - 1n}).`,
    });
  }

  const ownKey = client.identity.encryption.publicKey.toLowerCase();
  const tagKey =
    registration.registered && registration.encryptionKey.toLowerCase() === ownKey
      ? auditTagKey({
          organisationId,
          organisationKey: organisation.encryptionKey,
          patientKey: registration.encryptionKey,
          secretKey: client.identity.encryption.secretKey,
        })
      : undefined;
  const anchoredEvents = proofs.events.filter((item) => item.event.sequence < nextSequence);
  const result = verifyAuditLog({
    batches: anchoredBatches.map((batch) => ({
      firstSequence: batch.firstSequence,
      count: batch.count,
      root: batch.root,
    })),
    events: anchoredEvents.map((item) => ({
      event: item.event,
      ...(item.tag ? { tag: item.tag } : {}),
      ...(item.proof ? { proof: item.proof } : {}),
    })),
    leaves,
    ...(tagKey ? { tagKey } : {}),
    expect: anchoredEvents.map((item) => item.event.sequence),
  });
  report.problems.push(...result.problems);
  const withProblems = new Set(result.problems.map((problem) => problem.sequence));
  report.checked = proofs.events.map((item) =>
    check(
      item,
      item.event.sequence >= nextSequence
        ? 'awaiting-anchor'
        : withProblems.has(item.event.sequence)
          ? 'problem'
          : 'verified',
    ),
  );
  report.anchored = anchoredEvents.length;
  report.awaitingAnchor = proofs.events.length - anchoredEvents.length;
  report.leaves = leaves.length;
  report.recognisesOwnLeaves = tagKey !== undefined;
  report.ok = report.problems.length === 0;
  return report;
}
