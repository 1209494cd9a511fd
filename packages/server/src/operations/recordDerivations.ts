/**
 * The record actions copy, duplicate and move: the signer's `Derivation` of a source record and the new
 * record (checked exactly as `POST /api/records` checks a record, see `acceptRecord`), relayed to the
 * RecordActions contract, which anchors the new record through Records in the same transaction and, for
 * a move, erases the source. The gateway asks `accessControl` first (a copy needs the `share` action
 * over the source, a duplicate its `read`), and the chain decides again; every action is audited under
 * its patient (both patients for a move), allowed or refused.
 */
import type { DeriveRecordBody, RecordDerived } from '@medledger/api';
import {
  type DerivationKind,
  derivationKindCode,
  InvalidInputError,
  MedledgerError,
  NotFoundError,
} from '@medledger/core';
import type { SentTransaction } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import type { RecordRow } from '../store/gatewayStore.ts';
import { acceptRecord } from './records.ts';
import { requireSigner, signedArgs } from './signedActions.ts';

/** The audit action of each record action. */
export const derivationAuditActions: Record<DerivationKind, string> = {
  copy: 'record-copy',
  duplicate: 'record-duplicate',
  move: 'record-move',
};

/**
 * Derives a new record from `sourceId` as the caller signed it, and answers once it is in a block.
 * Throws `NotFoundError` (`record_not_found`), `InvalidInputError` (`derivation_same_patient`,
 * `derivation_other_patient`, `derivation_organisation`, `acceptRecord`'s), `AccessDeniedError`
 * (`not_the_signer`, `no_consent`, or the chain's refusal), and the chain's other refusals (an erased
 * source, a spent nonce, ...).
 */
export async function deriveRecord(
  services: GatewayServices,
  session: Session,
  sourceId: Hex,
  body: DeriveRecordBody,
): Promise<RecordDerived> {
  const { indexer, ledger } = services;
  const by = requireSigner(session, body.by, 'derivation').toLowerCase() as Address;
  const id = sourceId.toLowerCase() as Hex;
  const source = await indexer.record(id);
  if (!source) throw new NotFoundError(`No record ${id}.`, { reason: 'record_not_found' });
  const action = derivationAuditActions[body.kind];
  const newPatient = body.record.leaf.patient.toLowerCase() as Address;
  const patients = body.kind === 'move' ? [source.patient, newPatient] : [source.patient];
  /** Audits the action under each patient it touches: the source's, and for a move the new record's. */
  const audit = async (outcome: 'allowed' | 'denied', reason: string, newRecordId: Hex | null) => {
    for (const [index, patient] of patients.entries()) {
      await services.auditLog.record({
        actor: by,
        patient,
        action,
        recordId: index === 0 ? id : newRecordId,
        category: source.category,
        sensitivity: source.sensitivity,
        purpose: null,
        outcome,
        reason,
      });
    }
  };
  const refuse = async (error: MedledgerError): Promise<never> => {
    await audit('denied', error.reason ?? error.code, null);
    throw error;
  };
  const samePatient = newPatient === source.patient.toLowerCase();
  if (body.kind === 'move' && samePatient) {
    await refuse(
      new InvalidInputError('A record is moved to another patient’s chart, not to the chart it is in.', {
        reason: 'derivation_same_patient',
      }),
    );
  }
  if (body.kind !== 'move' && !samePatient) {
    await refuse(
      new InvalidInputError(`A ${body.kind} stays in the chart of the source’s patient.`, {
        reason: 'derivation_other_patient',
      }),
    );
  }
  if ((body.kind === 'copy') !== body.toOrganisation > 0) {
    await refuse(
      new InvalidInputError('A copy names the organisation it is for; a duplicate or a move names none.', {
        reason: 'derivation_organisation',
      }),
    );
  }
  const grantId = await sourceGrant(services, by, source, body.kind);
  const accepted = await acceptRecord(services, session, body.record);
  const newRecordId = accepted.leaf.recordId;
  const derivation = {
    kind: derivationKindCode(body.kind),
    sourceId: id,
    newRecordId,
    by,
    toOrganisation: body.toOrganisation,
    ...nonceAndDeadline(body),
  };
  let sent: SentTransaction;
  try {
    sent = await ledger.write('recordActions', 'derive', [
      derivation,
      body.signature as Hex,
      recordFields(source),
      grantId,
      { record: accepted.leaf, grantId: accepted.grantId, signature: accepted.signature },
    ]);
  } catch (error) {
    if (error instanceof MedledgerError) await refuse(error);
    throw error;
  }
  await audit('allowed', `${body.kind} ${id} to ${newRecordId} (${sent.hash})`, newRecordId);
  await services.indexer.sync();
  await services.eventFollower.sync();
  return {
    kind: body.kind,
    sourceId: id,
    recordId: newRecordId,
    patient: newPatient,
    toOrganisation: body.toOrganisation,
    transactionHash: sent.hash,
    blockNumber: Number(sent.blockNumber),
  };
}

/**
 * The grant that lets `by` act on the source, asked of `accessControl` (audited): `share` for a copy,
 * `read` for a duplicate; none for a move (the chain checks the author and its admins) or the patient.
 */
async function sourceGrant(
  { access }: GatewayServices,
  by: Address,
  source: RecordRow,
  kind: DerivationKind,
): Promise<bigint> {
  if (kind === 'move') return 0n;
  const { grantId } = await access.authorise({
    actor: by,
    patient: source.patient,
    category: source.category,
    sensitivity: source.sensitivity,
    action: kind === 'copy' ? 'share' : 'read',
    recordId: source.recordId,
  });
  return grantId;
}

/** The source's signed fields, as the contract checks them against its anchor. */
function recordFields(row: RecordRow) {
  return {
    recordId: row.recordId,
    patient: row.patient,
    author: row.author,
    category: row.category,
    sensitivity: row.sensitivity,
    contentDigest: row.contentDigest,
    supersedes: row.supersedes,
    createdAt: BigInt(row.createdAt),
  };
}

function nonceAndDeadline(body: DeriveRecordBody) {
  const [nonce, deadline] = signedArgs(body);
  return { nonce, deadline };
}
