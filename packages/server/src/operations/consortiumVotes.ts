/**
 * What the consortium's admins are voting on now, read from the chain: organisations waiting to
 * join, and the custody, emergency window, author erasure window and co-signature policy proposals
 * that can still pass
 * (not enacted, and made against the version in force). Each with its votes so far and the votes it
 * needs: a proposal passes once `approvals * 3 >= activeOrganisationCount * 2`. Public.
 */
import type { ConsortiumVotes } from '@medledger/api';
import type { GatewayServices } from '../gatewayServices.ts';
import { organisationOnLedger } from './consortium.ts';
import { coSignaturePolicyProposals } from './coSignatures.ts';
import { votesNeeded } from './sentTransactions.ts';

/** The proposal ids 1..count (the contracts number proposals from 1). */
function idsUpTo(count: bigint): number[] {
  return Array.from({ length: Number(count) }, (_, index) => index + 1);
}

export async function consortiumVotes(services: GatewayServices): Promise<ConsortiumVotes> {
  const { ledger, store } = services;
  const active = Number(await ledger.read('consortium', 'activeOrganisationCount', []));
  const needed = votesNeeded(active);
  const pending = (await store.organisations()).filter((row) => !row.active);
  const organisations: ConsortiumVotes['organisations'] = [];
  for (const row of pending) {
    const onLedger = await organisationOnLedger(services, row.organisationId);
    if (onLedger.status !== 'pending') continue;
    organisations.push({
      organisationId: onLedger.organisationId,
      name: onLedger.name,
      kind: onLedger.kind,
      approvals: onLedger.approvals,
      needed,
    });
  }

  const [, , custodyVersion] = await ledger.read('consortium', 'custody', []);
  const custody: ConsortiumVotes['custody'] = [];
  for (const proposalId of idsUpTo(await ledger.read('consortium', 'custodyProposalCount', []))) {
    const proposal = await ledger.read('consortium', 'custodyProposal', [BigInt(proposalId)]);
    if (proposal.enacted || proposal.baseVersion !== custodyVersion) continue;
    custody.push({
      proposalId,
      custodians: [...proposal.custodians],
      threshold: proposal.threshold,
      proposerOrganisationId: proposal.proposerOrganisationId,
      approvals: proposal.approvals,
      needed,
    });
  }

  const [, emergencyVersion] = await ledger.read('emergencies', 'emergencyWindow', []);
  const emergencyWindow: ConsortiumVotes['emergencyWindow'] = [];
  for (const proposalId of idsUpTo(await ledger.read('emergencies', 'windowProposalCount', []))) {
    const proposal = await ledger.read('emergencies', 'windowProposal', [BigInt(proposalId)]);
    if (proposal.enacted || proposal.baseVersion !== emergencyVersion) continue;
    emergencyWindow.push({
      proposalId,
      windowSeconds: Number(proposal.windowSeconds),
      proposerOrganisationId: proposal.proposerOrganisationId,
      approvals: proposal.approvals,
      needed,
    });
  }

  const [, erasureVersion] = await ledger.read('recordActions', 'authorErasureWindow', []);
  const authorErasureWindow: ConsortiumVotes['authorErasureWindow'] = [];
  for (const proposalId of idsUpTo(await ledger.read('recordActions', 'windowProposalCount', []))) {
    const proposal = await ledger.read('recordActions', 'windowProposal', [BigInt(proposalId)]);
    if (proposal.enacted || proposal.baseVersion !== erasureVersion) continue;
    authorErasureWindow.push({
      proposalId,
      windowSeconds: Number(proposal.windowSeconds),
      proposerOrganisationId: proposal.proposerOrganisationId,
      approvals: proposal.approvals,
      needed,
    });
  }
  const coSignaturePolicies = (await coSignaturePolicyProposals(services)).proposals
    .filter((proposal) => proposal.status === 'pending')
    .map(({ status: _pending, ...proposal }) => ({ ...proposal, needed }));
  return {
    activeOrganisations: active,
    organisations,
    custody,
    emergencyWindow,
    authorErasureWindow,
    coSignaturePolicies,
  };
}
