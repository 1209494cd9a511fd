/**
 * The record actions copy, duplicate and move (see contracts/src/IRecordActions.sol): a new record made
 * from an existing one (its source), anchored with the signed `Derivation` in one transaction.
 */
import type { RecordDerived } from '@medledger/api';
import {
  bytesToHex,
  type Category,
  type DerivationKind,
  derivationKindCode,
  deriveResource,
  InvalidInputError,
  randomBytes,
  recordActionsTypes,
  recordFhirId,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { Transport } from '../transport.ts';
import { sealAndSignRecord } from './addRecord.ts';
import { readRecord } from './readRecord.ts';

export interface DeriveRecordInput {
  kind: DerivationKind;
  /** The source record. */
  recordId: Hex;
  /** copy: the organisation whose members may read the copy (e.g. the one a referral goes to). */
  toOrganisation?: number;
  /** move: the patient the record belongs to (the source is in the wrong chart and is erased). */
  toPatient?: Address;
  /** duplicate: the new record's category (the source's by default); the content must fit it. */
  category?: Category;
  /** The purpose the source is read under (`TREAT` by default). */
  purpose?: string;
  /** Why, noted in the new resource (`deriveResource`'s `reason`), e.g. `referral`. */
  reason?: string;
}

/**
 * Reads and decrypts the source record, builds the new record's resource (`deriveResource`: same
 * content, a new id, the source and the action noted; for a move, the right patient), seals it for
 * its patient (for a move, the right one) as `addRecord` does, signs the derivation and posts both.
 * Resolves once the new record is in a block.
 *
 * Who may: copy, the patient or a holder of a grant with the `share` action over the source;
 * duplicate, the patient or a reader of the source; move, the source's author or an admin of its
 * organisation. The chain refuses anyone else (`AccessDeniedError`).
 *
 * @example
 * const { recordId } = await deriveRecord(doctor, { kind: 'copy', recordId: source, toOrganisation: 2 });
 */
export async function deriveRecord(client: Transport, input: DeriveRecordInput): Promise<RecordDerived> {
  const sourceId = input.recordId.toLowerCase() as Hex;
  const move = input.kind === 'move';
  const copy = input.kind === 'copy';
  if (copy && !(Number.isInteger(input.toOrganisation) && (input.toOrganisation ?? 0) > 0)) {
    throw new InvalidInputError('A copy names the organisation it is for.', {
      reason: 'derivation_organisation_required',
    });
  }
  if (move && !input.toPatient) {
    throw new InvalidInputError('A move names the patient the record belongs to.', {
      reason: 'derivation_patient_required',
    });
  }
  const { record, resource } = await readRecord(client, sourceId, input.purpose);
  const newRecordId = bytesToHex(randomBytes(32));
  const patient = (move ? (input.toPatient as Address) : record.patient).toLowerCase() as Address;
  if (move && patient === record.patient.toLowerCase()) {
    throw new InvalidInputError('A record is moved to another patient’s chart, not to the chart it is in.', {
      reason: 'derivation_same_patient',
    });
  }
  const derived = deriveResource({
    resource,
    kind: input.kind,
    sourceRecordId: sourceId,
    id: recordFhirId(newRecordId),
    ...(input.reason ? { reason: input.reason } : {}),
    ...(move ? { fromPatient: record.patient, toPatient: patient } : {}),
  });
  const body = await sealAndSignRecord(client, {
    patient,
    category: input.kind === 'duplicate' ? (input.category ?? record.category) : record.category,
    sensitivity: record.sensitivity,
    resource: derived,
    recordId: newRecordId,
  });
  const toOrganisation = copy ? (input.toOrganisation as number) : 0;
  const signed = await client.signAction('recordActions', recordActionsTypes, 'Derivation', {
    kind: derivationKindCode(input.kind),
    sourceId,
    newRecordId,
    by: client.address,
    toOrganisation,
  });
  return client.call<RecordDerived>('POST', `/api/records/${sourceId}/derive`, {
    kind: input.kind,
    by: client.address,
    toOrganisation,
    record: body,
    ...signed,
  });
}
