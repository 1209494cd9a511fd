/**
 * The co-signature operations: co-signing a record (relayed in a batch, like records), a record's
 * stamp, and the consortium's per-category co-signature policies, proposed and approved by
 * organisation admins.
 */
import type {
  ApprovePolicyBody,
  CoSignaturePolicies,
  CoSignaturePolicy,
  CoSignaturePolicyProposals,
  CoSignBody,
  CoSigned,
  PolicyApproved,
  PolicyProposed,
  ProposePolicyBody,
  RecordStamp,
} from '@medledger/api';
import {
  type Category,
  type CoSignatureRequirement,
  categories,
  InvalidInputError,
  MedledgerError,
  NotFoundError,
  roleOfCode,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { leafOf } from '../stamps.ts';
import { requireSigner, signedArgs } from './signedActions.ts';

/**
 * Co-signs a record as the session: the patient, or a member who may read the record now (audited
 * with purpose COSIGN). Resolves once the co-signature is in a block. Throws `AccessDeniedError`
 * (`not_the_signer`, `no_consent`), `NotFoundError` (`record_not_found`), or the contract's refusal.
 */
export async function coSignRecord(
  services: GatewayServices,
  session: Session,
  input: { recordId: Hex } & CoSignBody,
): Promise<CoSigned> {
  const signer = requireSigner(session, input.signer, 'co-signature');
  const recordId = input.recordId.toLowerCase() as Hex;
  const row = await services.indexer.record(recordId);
  if (!row) throw new NotFoundError(`No record ${recordId}.`, { reason: 'record_not_found' });
  const { grantId } = await services.access.authorise({
    actor: signer,
    patient: row.patient,
    category: row.category,
    sensitivity: row.sensitivity,
    action: 'read',
    recordId,
    purpose: 'COSIGN',
  });
  const receipt = await services.coSignatureAnchorer.coSign({
    leaf: leafOf(row),
    signer,
    grantId,
    signature: input.signature,
  });
  return { recordId, signer: signer.toLowerCase() as Address, ...receipt };
}

/**
 * A record's stamp, for its patient and for those who may read it now. Throws `NotFoundError`
 * (`record_not_found`) alike for an unknown record and for one the caller may not see.
 */
export async function recordStamp(
  services: GatewayServices,
  session: Session,
  input: { recordId: Hex },
): Promise<RecordStamp> {
  const recordId = input.recordId.toLowerCase() as Hex;
  const row = await services.store.record(recordId);
  if (!row || !(await services.access.maySee(session.address, row))) {
    throw new NotFoundError(`No record ${recordId} that you may see.`, { reason: 'record_not_found' });
  }
  return { recordId, ...(await services.stamps.of(row)) };
}

/** The co-signature policy in force for each record category (version 0: none). */
export async function coSignaturePolicies(services: GatewayServices): Promise<CoSignaturePolicies> {
  return {
    policies: await Promise.all(
      categories.map(async (category, index): Promise<CoSignaturePolicy> => {
        const [current, version] = await services.ledger.read('coSignatures', 'policy', [index]);
        return {
          category,
          version: Number(version),
          ...describePolicy(current.requirements, current.patient),
          enactedAt: version ? Number(current.enactedAt) : null,
        };
      }),
    ),
  };
}

/** Every proposed co-signature policy, with its votes and whether it is pending, enacted or overtaken. */
export async function coSignaturePolicyProposals(
  services: GatewayServices,
): Promise<CoSignaturePolicyProposals> {
  const { ledger } = services;
  const count = Number(await ledger.read('coSignatures', 'policyProposalCount', []));
  const proposals = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const proposal = await ledger.read('coSignatures', 'policyProposal', [BigInt(index + 1)]);
      const [, version] = await ledger.read('coSignatures', 'policy', [proposal.category]);
      return {
        proposalId: index + 1,
        category: categoryName(proposal.category),
        ...describePolicy(proposal.requirements, proposal.patient),
        proposerOrganisationId: proposal.proposerOrganisationId,
        approvals: proposal.approvals,
        status: proposal.enacted
          ? ('enacted' as const)
          : proposal.baseVersion === version
            ? ('pending' as const)
            : ('overtaken' as const),
      };
    }),
  );
  return { proposals };
}

/**
 * Relays an organisation admin's signed proposal of a category's co-signature policy. Throws
 * `AccessDeniedError` (`not_the_signer`), `InvalidInputError` (`unknown_category`), or the contract's refusal.
 */
export async function proposeCoSignaturePolicy(
  services: GatewayServices,
  session: Session,
  body: ProposePolicyBody,
): Promise<PolicyProposed> {
  const admin = requireSigner(session, body.admin, 'policy proposal');
  if (body.category >= categories.length) {
    throw new InvalidInputError(`Unknown category ${body.category}: there are ${categories.length}.`, {
      reason: 'unknown_category',
      fields: { category: body.category },
    });
  }
  const sent = await services.ledger.write('coSignatures', 'proposePolicy', [
    body.category,
    body.requirements,
    body.patient,
    admin,
    ...signedArgs(body),
  ]);
  const proposed = sent.events.find((event) => event.eventName === 'PolicyProposed');
  if (!proposed || !('proposalId' in proposed.args)) {
    throw new MedledgerError('The policy proposal was sent but the chain reported no PolicyProposed event.', {
      reason: 'proposal_event_missing',
    });
  }
  return {
    proposalId: Number(proposed.args.proposalId),
    enacted: sent.events.some((event) => event.eventName === 'PolicyChanged'),
    transactionHash: sent.hash,
  };
}

/**
 * Relays an organisation admin's signed approval of a policy proposal. Throws `AccessDeniedError`
 * (`not_the_signer`) or the contract's refusal.
 */
export async function approveCoSignaturePolicy(
  services: GatewayServices,
  session: Session,
  input: { proposalId: number } & ApprovePolicyBody,
): Promise<PolicyApproved> {
  const approver = requireSigner(session, input.approver, 'policy approval');
  const sent = await services.ledger.write('coSignatures', 'approvePolicy', [
    BigInt(input.proposalId),
    approver,
    ...signedArgs(input),
  ]);
  return {
    proposalId: input.proposalId,
    enacted: sent.events.some((event) => event.eventName === 'PolicyChanged'),
    transactionHash: sent.hash,
  };
}

function categoryName(code: number): Category {
  return categories[code] ?? (String(code) as Category);
}

function describePolicy(requirements: readonly CoSignatureRequirement[], patient: boolean) {
  return {
    requirements: requirements.map((requirement) => ({
      role: roleOfCode(requirement.role) ?? String(requirement.role),
      count: requirement.count,
      sameOrganisation: requirement.sameOrganisation,
    })),
    patient,
  };
}
