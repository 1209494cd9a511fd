/**
 * Emergency access operations ("break the glass"): privileges given by organisation admins,
 * declarations by privileged members (the justification stays at this gateway, its salted hash goes
 * on chain), reviews by the member's organisation admins, and the consortium's window. Who sees an
 * emergency is decided by access control; reads under an emergency go through it like any other read.
 */
import type {
  ApproveEmergencyWindowBody,
  DeclareEmergencyBody,
  Emergency,
  EmergencyList,
  EmergencyListQuery,
  EmergencyPrivilegeSet,
  EmergencyWindow,
  EmergencyWindowApproved,
  EmergencyWindowVote,
  ProposeEmergencyWindowBody,
  ReviewEmergencyBody,
  SetEmergencyPrivilegeBody,
} from '@medledger/api';
import {
  emergencyCategories,
  emergencyReasonOfCode,
  emergencySensitivity,
  emergencyVerdicts,
  IntegrityError,
  InvalidInputError,
  justificationHashOf,
  MedledgerError,
  NotFoundError,
} from '@medledger/core';
import type { SentTransaction } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import type { EmergencyRow } from '../store/emergencyStore.ts';
import { votesAfter } from './sentTransactions.ts';
import { requireSigner, signedArgs } from './signedActions.ts';
import { endSessionsWithoutRequiredCode } from './staffSecondFactor.ts';

/**
 * Brings the index, the emergency state and this gateway's audit of emergency starts and ends up to
 * the block just mined. The watcher also runs on its own (and reports its failures), so a failure
 * of its run here only delays the audit of a start or an end; it never loses it.
 */
async function catchUp({ indexer, eventFollower, emergencyWatcher }: GatewayServices): Promise<void> {
  await indexer.sync();
  await eventFollower.sync();
  await emergencyWatcher.sync().catch(() => undefined);
}

/** The later of the gateway's clock and the chain's (unix seconds): an emergency ends by either. */
async function now({ ledger }: GatewayServices): Promise<number> {
  const chainTime = Number((await ledger.block().catch(() => undefined))?.timestamp ?? 0);
  return Math.max(Date.now() / 1000, chainTime);
}

/** An emergency as the API answers it; its justification only when `withJustification`. */
async function describeEmergency(
  { emergencies }: GatewayServices,
  row: EmergencyRow,
  withJustification: boolean,
  time: number,
): Promise<Emergency> {
  const reason = emergencyReasonOfCode(row.reasonCode);
  const verdict = emergencyVerdicts[row.verdict];
  if (!reason || !verdict) {
    throw new IntegrityError(`Emergency ${row.emergencyId} as indexed has an unknown reason or verdict.`, {
      reason: 'unknown_emergency_code',
      fields: { reasonCode: row.reasonCode, verdict: row.verdict },
    });
  }
  const justification = withJustification
    ? ((await emergencies.justification(row.justificationHash))?.text ?? null)
    : null;
  return {
    emergencyId: row.emergencyId,
    member: row.member,
    patient: row.patient,
    organisationId: row.organisationId,
    reason,
    justification,
    categories: [...emergencyCategories],
    sensitivity: emergencySensitivity,
    declaredAt: row.declaredAt,
    expiresAt: row.expiresAt,
    status: row.verdict === 2 || row.expiresAt <= time ? 'ended' : 'open',
    verdict,
    reviewer: row.reviewer,
    reviewedAt: row.reviewedAt,
    blockNumber: row.blockNumber,
    transactionHash: row.transactionHash,
  };
}

/**
 * One emergency, to its member, its patient and the admins of its organisation; anyone else gets
 * `NotFoundError` with reason `no_such_emergency`, as for one that does not exist.
 */
export async function getEmergency(
  services: GatewayServices,
  session: Session,
  emergencyId: number,
): Promise<Emergency> {
  const row = await services.emergencies.emergency(emergencyId);
  if (!row) {
    throw new NotFoundError(`No emergency ${emergencyId} of yours.`, { reason: 'no_such_emergency' });
  }
  const { mayReadJustification } = await services.access.authoriseEmergencyView(session.address, row);
  return describeEmergency(services, row, mayReadJustification, await now(services));
}

/**
 * Emergencies the caller declared, on the caller's record, and (for an organisation admin) of its
 * members: unreviewed first, then the newest first; `status: 'unreviewed'` lists those only.
 */
export async function listEmergencies(
  services: GatewayServices,
  session: Session,
  query: EmergencyListQuery,
): Promise<EmergencyList> {
  const { access, emergencies } = services;
  const me = session.address;
  const administered = await access.administeredOrganisation(me);
  const rows = (
    await emergencies.emergencies({
      member: me,
      patient: me,
      organisationIds: administered === null ? [] : [administered],
    })
  )
    .filter((row) => access.emergencyStanding(me, row, administered).mayView)
    .filter((row) => query.status !== 'unreviewed' || row.verdict === 0)
    .sort((a, b) => Number(a.verdict !== 0) - Number(b.verdict !== 0) || b.emergencyId - a.emergencyId);
  const time = await now(services);
  return {
    emergencies: await Promise.all(
      rows.map((row) =>
        describeEmergency(
          services,
          row,
          access.emergencyStanding(me, row, administered).mayReadJustification,
          time,
        ),
      ),
    ),
  };
}

/** Relays an admin's signed grant or withdrawal of a member's emergency privilege. */
export async function setEmergencyPrivilege(
  services: GatewayServices,
  session: Session,
  member: string,
  body: SetEmergencyPrivilegeBody,
): Promise<EmergencyPrivilegeSet> {
  const admin = requireSigner(session, body.admin, 'emergency privilege');
  const memberAddress = member.toLowerCase() as Address;
  const sent = await services.ledger.write('emergencies', 'setEmergencyPrivilege', [
    memberAddress,
    body.privileged,
    admin,
    ...signedArgs(body),
  ]);
  await catchUp(services);
  if (body.privileged) await endSessionsWithoutRequiredCode(services, memberAddress);
  const set = sent.events.find((event) => event.eventName === 'EmergencyPrivilegeSet');
  if (!set || !('organisationId' in set.args)) throw missingEvent(sent, 'EmergencyPrivilegeSet');
  return {
    member: memberAddress,
    privileged: body.privileged,
    organisationId: set.args.organisationId,
    transactionHash: sent.hash,
    blockNumber: Number(sent.blockNumber),
  };
}

/**
 * Relays a privileged member's signed declaration: keeps the justification (its salted hash must be
 * the one signed, else `InvalidInputError` with reason `justification_hash_mismatch`), and answers
 * the emergency once it is in a block. A refused declaration leaves no justification behind.
 */
export async function declareEmergency(
  services: GatewayServices,
  session: Session,
  body: DeclareEmergencyBody,
): Promise<Emergency> {
  const { ledger, emergencies } = services;
  const member = requireSigner(session, body.member, 'emergency declaration');
  const justificationHash = body.justificationHash.toLowerCase() as Hex;
  if (justificationHashOf(body.justificationSalt, body.justification) !== justificationHash) {
    throw new InvalidInputError(
      'justificationHash must be keccak256 of the 32-byte salt followed by the justification’s UTF-8 bytes.',
      { reason: 'justification_hash_mismatch' },
    );
  }
  const kept = await emergencies.saveJustification(justificationHash, {
    salt: body.justificationSalt,
    text: body.justification,
  });
  let sent: SentTransaction;
  try {
    sent = await ledger.write('emergencies', 'declareEmergency', [
      member,
      body.patient,
      body.reasonCode,
      justificationHash,
      ...signedArgs(body),
    ]);
  } catch (error) {
    // One kept for another declaration stays.
    if (kept) await emergencies.forgetJustification(justificationHash);
    throw error;
  }
  const declared = sent.events.find((event) => event.eventName === 'EmergencyDeclared');
  if (!declared || !('emergencyId' in declared.args)) throw missingEvent(sent, 'EmergencyDeclared');
  await catchUp(services);
  return getEmergency(services, session, Number(declared.args.emergencyId));
}

/** Relays an admin's signed review of an emergency (unjustified closes it at once), and answers it. */
export async function reviewEmergency(
  services: GatewayServices,
  session: Session,
  emergencyId: number,
  body: ReviewEmergencyBody,
): Promise<Emergency> {
  const reviewer = requireSigner(session, body.reviewer, 'emergency review');
  await services.ledger.write('emergencies', 'reviewEmergency', [
    BigInt(emergencyId),
    body.verdict,
    reviewer,
    ...signedArgs(body),
  ]);
  await catchUp(services);
  return getEmergency(services, session, emergencyId);
}

/** How long an emergency declared now stays open (seconds), and the window's version. */
export async function emergencyWindow({ ledger }: GatewayServices): Promise<EmergencyWindow> {
  const [windowSeconds, version] = await ledger.read('emergencies', 'emergencyWindow', []);
  return { windowSeconds: Number(windowSeconds), version: Number(version) };
}

/** Relays an admin's signed proposal of the emergency window (its organisation's vote counts). */
export async function proposeEmergencyWindow(
  services: GatewayServices,
  session: Session,
  body: ProposeEmergencyWindowBody,
): Promise<EmergencyWindowVote> {
  const admin = requireSigner(session, body.admin, 'window proposal');
  const sent = await services.ledger.write('emergencies', 'proposeEmergencyWindow', [
    BigInt(body.windowSeconds),
    admin,
    ...signedArgs(body),
  ]);
  await catchUp(services);
  const proposed = sent.events.find((event) => event.eventName === 'EmergencyWindowProposed');
  if (!proposed || !('proposalId' in proposed.args)) throw missingEvent(sent, 'EmergencyWindowProposed');
  return windowVote(sent, Number(proposed.args.proposalId));
}

/** Relays an admin's signed approval of a window proposal; it is enacted with two thirds of the organisations. */
export async function approveEmergencyWindow(
  services: GatewayServices,
  session: Session,
  proposalId: number,
  body: ApproveEmergencyWindowBody,
): Promise<EmergencyWindowApproved> {
  const approver = requireSigner(session, body.approver, 'window approval');
  const sent = await services.ledger.write('emergencies', 'approveEmergencyWindow', [
    BigInt(proposalId),
    approver,
    ...signedArgs(body),
  ]);
  await catchUp(services);
  return {
    ...windowVote(sent, proposalId),
    ...(await votesAfter(services, sent, 'EmergencyWindowApproved')),
  };
}

function windowVote(sent: SentTransaction, proposalId: number): EmergencyWindowVote {
  return {
    proposalId,
    enacted: sent.events.some((event) => event.eventName === 'EmergencyWindowChanged'),
    transactionHash: sent.hash,
  };
}

/** A mined transaction without the event its call always emits: the ABI and the chain disagree. */
function missingEvent(sent: SentTransaction, eventName: string): MedledgerError {
  return new MedledgerError(`Transaction ${sent.hash} emitted no ${eventName} event.`, {
    reason: 'missing_event',
    fields: { transactionHash: sent.hash, eventName },
  });
}
