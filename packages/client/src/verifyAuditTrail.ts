/**
 * A patient's check of its access history at one gateway, against the chain rather than the
 * gateway's word: the batch roots come from the AuditAnchors contract; every disclosed batch must
 * rebuild to its anchored root from the leaves the gateway gives; each of the patient's events must
 * prove its place in its batch; an event the chain says is anchored must come with its proof.
 *
 * What this cannot see: an event of the patient that the gateway omits from its answer while its
 * leaf stays in the batch (leaves do not say whom they concern). `docs/architecture.md` says so.
 */
import { auditAnchorsAbi } from '@medledger/contracts';
import { type AuditEventInput, type AuditLeaf, type AuditProblem, verifyAuditLog } from '@medledger/core';
import { createPublicClient, type Hex, http } from 'viem';
import type { GatewayClient } from './gatewayClient.ts';

export interface AuditTrailProofs {
  organisationId: number | null;
  batches: { batchIndex: number; firstSequence: number; count: number; root: Hex; leaves: AuditLeaf[] }[];
  events: { event: AuditEventInput & { sequence: number }; proof: Hex[] | null }[];
}

export interface AuditTrailReport {
  gateway: string;
  organisationId: number | null;
  events: number;
  anchored: number;
  awaitingAnchor: number;
  ok: boolean;
  problems: AuditProblem[];
}

/**
 * @example
 * const report = await verifyAuditTrail(createGatewayClient({ url, identity: patient }));
 * if (!report.ok) console.error(report.problems);
 */
export async function verifyAuditTrail(client: GatewayClient, rpcUrl?: string): Promise<AuditTrailReport> {
  const [proofs, info] = await Promise.all([client.auditProofs(), client.ledger()]);
  const report: AuditTrailReport = {
    gateway: client.url,
    organisationId: proofs.organisationId,
    events: proofs.events.length,
    anchored: 0,
    awaitingAnchor: 0,
    ok: true,
    problems: [],
  };
  if (proofs.organisationId === null) {
    report.awaitingAnchor = proofs.events.length;
    return report;
  }
  const chain = createPublicClient({ transport: http(rpcUrl ?? info.rpcUrl, { batch: true }) });
  const organisationId = proofs.organisationId;
  const nextSequence = Number(
    await chain.readContract({
      address: info.contracts.auditAnchors,
      abi: auditAnchorsAbi,
      functionName: 'nextSequence',
      args: [organisationId],
    }),
  );
  const anchoredBatches = await Promise.all(
    proofs.batches.map((batch) =>
      chain.readContract({
        address: info.contracts.auditAnchors,
        abi: auditAnchorsAbi,
        functionName: 'batch',
        args: [organisationId, BigInt(batch.batchIndex)],
      }),
    ),
  );
  const anchoredEvents = proofs.events.filter((item) => item.event.sequence < nextSequence);
  for (const item of anchoredEvents) {
    if (!item.proof) {
      report.problems.push({
        kind: 'missing-event',
        sequence: item.event.sequence,
        message: `Event ${item.event.sequence} is anchored on chain but the gateway gave no proof of it.`,
      });
    }
  }
  const result = verifyAuditLog({
    batches: anchoredBatches.map((batch) => ({
      firstSequence: batch.firstSequence,
      count: batch.count,
      root: batch.root,
    })),
    events: anchoredEvents
      .filter((item) => item.proof)
      .map((item) => ({ event: item.event, proof: item.proof ?? [] })),
    leaves: proofs.batches.flatMap((batch) => batch.leaves),
    expect: anchoredEvents.map((item) => item.event.sequence),
  });
  report.problems.push(...result.problems);
  report.anchored = anchoredEvents.length;
  report.awaitingAnchor = proofs.events.length - anchoredEvents.length;
  report.ok = report.problems.length === 0;
  return report;
}
