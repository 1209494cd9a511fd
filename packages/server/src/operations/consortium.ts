/**
 * The consortium's organisations and key custody: an organisation is proposed by its admin (the
 * first one founds the consortium) and approved by the admins of active ones; it publishes its
 * gateway; custody (which organisations hold key shares, k of n) changes by proposal and approval.
 * Every change is a signed action relayed to the chain, which enforces who may make it.
 */
import type {
  ApprovalBody,
  CustodyApproved,
  CustodyProposalResult,
  GatewayPublished,
  Organisation,
  OrganisationApproved,
  OrganisationCreated,
  OrganisationList,
  OrganisationOnLedger,
  ProposeCustodyBody,
  ProposeOrganisationBody,
  PublishGatewayBody,
} from '@medledger/api';
import { NotFoundError, organisationKindOfCode, organisationStatuses } from '@medledger/core';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import type { OrganisationRow } from '../store/gatewayStore.ts';
import { emitted, emittedId, transactionOf, votesAfter } from './sentTransactions.ts';
import { requireSigner, signedArgs } from './signedActions.ts';
import { knownName } from './vocabularyCodes.ts';

/** Relays an organisation's proposal by its admin; the founding organisation is active at once. */
export async function proposeOrganisation(
  services: GatewayServices,
  session: Session,
  input: ProposeOrganisationBody,
): Promise<OrganisationCreated> {
  const admin = requireSigner(session, input.admin, 'organisation proposal');
  const sent = await services.ledger.write('consortium', 'proposeOrganisation', [
    input.name,
    input.kind,
    admin,
    input.encryptionKey,
    input.gatewayUrl,
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  return {
    organisationId: emittedId(sent, 'OrganisationProposed', 'organisationId'),
    status: emitted(sent, 'OrganisationActivated') ? 'active' : 'pending',
    ...transactionOf(sent),
  };
}

/**
 * Relays an active organisation's admin's approval of a pending organisation. One the chain does not
 * know is `NotFoundError` (reason `no_such_organisation`) rather than the contract's "not pending".
 */
export async function approveOrganisation(
  services: GatewayServices,
  session: Session,
  input: ApprovalBody & { organisationId: number },
): Promise<OrganisationApproved> {
  const approver = requireSigner(session, input.approver, 'approval');
  const { organisationId } = input;
  await organisationOnLedger(services, organisationId);
  const sent = await services.ledger.write('consortium', 'approveOrganisation', [
    organisationId,
    approver,
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  const activated = emitted(sent, 'OrganisationActivated');
  return {
    organisationId,
    status: activated ? 'active' : 'pending',
    ...transactionOf(sent),
    ...(await votesAfter(services, sent, 'OrganisationApproved', activated)),
  };
}

/** The consortium's organisations, as the gateway indexed them. Public. */
export async function listOrganisations(services: GatewayServices): Promise<OrganisationList> {
  return { organisations: (await services.store.organisations()).map(describeOrganisation) };
}

/** One organisation as the chain has it now; `NotFoundError` (reason `no_such_organisation`) if none. Public. */
export async function organisationOnLedger(
  services: GatewayServices,
  organisationId: number,
): Promise<OrganisationOnLedger> {
  const organisation = await services.ledger.read('consortium', 'organisation', [organisationId]);
  const status = knownName(
    organisationStatuses[organisation.status],
    'organisation status',
    organisation.status,
  );
  if (status === 'none') {
    throw new NotFoundError(`No organisation ${organisationId}.`, {
      reason: 'no_such_organisation',
      fields: { organisationId },
    });
  }
  return {
    organisationId,
    name: organisation.name,
    kind: knownName(organisationKindOfCode(organisation.kind), 'organisation kind', organisation.kind),
    status,
    encryptionKey: organisation.encryptionKey,
    gatewayUrl: organisation.gatewayUrl,
    approvals: organisation.approvals,
  };
}

/**
 * Relays the publication of an organisation's gateway (its URL, and the relayer account that alone
 * may anchor the organisation's audit batches), signed by its admin.
 */
export async function publishGateway(
  services: GatewayServices,
  session: Session,
  input: PublishGatewayBody & { organisationId: number },
): Promise<GatewayPublished> {
  const admin = requireSigner(session, input.admin, 'gateway publication');
  const sent = await services.ledger.write('consortium', 'setGateway', [
    input.organisationId,
    input.gatewayUrl,
    input.relayer,
    admin,
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  return { organisationId: input.organisationId, ...transactionOf(sent) };
}

/** Relays a custody proposal by an admin; it is enacted once two thirds of the active organisations approve. */
export async function proposeCustody(
  services: GatewayServices,
  session: Session,
  input: ProposeCustodyBody,
): Promise<CustodyProposalResult> {
  const admin = requireSigner(session, input.admin, 'custody proposal');
  const sent = await services.ledger.write('consortium', 'proposeCustody', [
    input.custodians,
    input.threshold,
    admin,
    ...signedArgs(input),
  ]);
  return {
    proposalId: emittedId(sent, 'CustodyProposed', 'proposalId'),
    enacted: emitted(sent, 'CustodyChanged'),
    transactionHash: sent.hash,
  };
}

/** Relays an admin's approval of a custody proposal. */
export async function approveCustody(
  services: GatewayServices,
  session: Session,
  input: ApprovalBody & { proposalId: number },
): Promise<CustodyApproved> {
  const approver = requireSigner(session, input.approver, 'custody approval');
  const sent = await services.ledger.write('consortium', 'approveCustody', [
    BigInt(input.proposalId),
    approver,
    ...signedArgs(input),
  ]);
  return {
    proposalId: input.proposalId,
    enacted: emitted(sent, 'CustodyChanged'),
    transactionHash: sent.hash,
    ...(await votesAfter(services, sent, 'CustodyApproved')),
  };
}

function describeOrganisation(row: OrganisationRow): Organisation {
  return {
    organisationId: row.organisationId,
    name: row.name,
    kind: knownName(organisationKindOfCode(row.kind), 'organisation kind', row.kind),
    status: row.active ? 'active' : 'pending',
    admin: row.admin,
    encryptionKey: row.encryptionKey,
    gatewayUrl: row.gatewayUrl,
  };
}
