/**
 * What the gateway checks of a record's envelope before it anchors the record: the envelope is the
 * bytes the signed leaf commits to and describes the same record, and its data key is sealed to the
 * patient's registered key and to the custodians the consortium requires (its patient's custodian
 * organisation, or exactly the k-of-n custodians once the consortium split record keys).
 *
 * Every refusal is an `InvalidInputError` (or `NotFoundError` for an unregistered patient) with a
 * stable reason.
 */
import {
  categories,
  digestOf,
  type Envelope,
  InvalidInputError,
  NotFoundError,
  parseEnvelope,
  type RecordLeaf,
  sensitivities,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { GatewayServices } from '../gatewayServices.ts';

type EnvelopeServices = Pick<GatewayServices, 'ledger' | 'store'>;

/**
 * The envelope, parsed, when it is the bytes the leaf commits to and describes the same record.
 * Throws `InvalidInputError` with reason `envelope_digest_mismatch` or `envelope_leaf_mismatch`
 * (`fields.mismatches`: the fields they disagree on, comma-separated).
 */
export function checkEnvelopeMatchesLeaf(bytes: Uint8Array, leaf: RecordLeaf): Envelope {
  if (digestOf(bytes) !== leaf.contentDigest) {
    throw new InvalidInputError('The envelope does not match the content digest of the signed record.', {
      reason: 'envelope_digest_mismatch',
    });
  }
  const envelope = parseEnvelope(bytes);
  const { meta } = envelope;
  const mismatches = [
    meta.recordId.toLowerCase() !== leaf.recordId && 'recordId',
    meta.patient.toLowerCase() !== leaf.patient && 'patient',
    meta.author.toLowerCase() !== leaf.author && 'author',
    meta.category !== categories[leaf.category] && 'category',
    meta.sensitivity !== sensitivities[leaf.sensitivity] && 'sensitivity',
    meta.supersedes.toLowerCase() !== leaf.supersedes && 'supersedes',
    BigInt(meta.createdAt) !== leaf.createdAt && 'createdAt',
  ].filter(Boolean);
  if (mismatches.length) {
    throw new InvalidInputError(`The envelope and the signed record disagree on: ${mismatches.join(', ')}.`, {
      reason: 'envelope_leaf_mismatch',
      fields: { mismatches: mismatches.join(',') },
    });
  }
  return envelope;
}

/**
 * Resolves when the envelope's data key is sealed to the patient's registered encryption key and to
 * the custodians the consortium requires. Throws `NotFoundError` (reason `patient_not_registered`)
 * or `InvalidInputError` (reasons `not_sealed_to_patient`, `not_sealed_to_custodian`,
 * `custody_shares_required`, `custody_shares_mismatch`, `custody_share_key_mismatch`).
 */
export async function checkSealedToPatientAndCustodian(
  services: EnvelopeServices,
  envelope: Envelope,
  patientAddress: Address,
): Promise<void> {
  const patientSlot = envelope.keys.find((key) => key.kind === 'patient');
  const patient = await registeredPatient(services, patientAddress, patientSlot?.publicKey);
  if (!patientSlot || patientSlot.publicKey.toLowerCase() !== patient.encryptionKey.toLowerCase()) {
    throw new InvalidInputError('The data key is not sealed to the patient’s registered encryption key.', {
      reason: 'not_sealed_to_patient',
    });
  }
  if (await checkCustody(services, envelope)) return;
  if (patient.organisationId) {
    const custodianKey = (await organisationKey(services, patient.organisationId)).toLowerCase();
    const sealedToCustodian = envelope.keys.some(
      (key) =>
        key.kind === 'custodian' &&
        key.id === String(patient.organisationId) &&
        key.publicKey.toLowerCase() === custodianKey,
    );
    if (!sealedToCustodian) {
      throw new InvalidInputError(
        `The data key is not sealed to the custodian, organisation ${patient.organisationId}, of this patient.`,
        { reason: 'not_sealed_to_custodian', fields: { organisationId: patient.organisationId } },
      );
    }
  }
}

/**
 * The index answers when it has the patient with the key the record is sealed to; the chain
 * answers for registrations and key rotations the indexer has not reached yet.
 */
async function registeredPatient(
  { ledger, store }: EnvelopeServices,
  address: Address,
  sealedTo: Hex | undefined,
): Promise<{ encryptionKey: Hex; organisationId: number }> {
  const indexed = await store.patient(address);
  if (indexed && indexed.encryptionKey.toLowerCase() === sealedTo?.toLowerCase()) return indexed;
  const patient = await ledger.read('consortium', 'patient', [address]);
  if (!patient.registered) {
    throw new NotFoundError(`${address} is not a registered patient.`, { reason: 'patient_not_registered' });
  }
  return patient;
}

async function organisationKey({ ledger, store }: EnvelopeServices, organisationId: number): Promise<Hex> {
  const indexed = await store.organisation(organisationId);
  if (indexed) return indexed.encryptionKey;
  return (await ledger.read('consortium', 'organisation', [organisationId])).encryptionKey;
}

/**
 * Once the consortium has set k-of-n custody, a record must be a v2 envelope whose shares are
 * sealed to exactly the current custodians, with their registered keys, and the current k.
 * Resolves with false when no such custody is set.
 */
async function checkCustody(services: EnvelopeServices, envelope: Envelope): Promise<boolean> {
  const [custodians, threshold, version] = await services.ledger.read('consortium', 'custody', []);
  if (version === 0n) return false;
  if (envelope.v !== 2) {
    throw new InvalidInputError(
      `The consortium splits record keys ${threshold} of ${custodians.length}: seal the data key in shares to its custodians.`,
      { reason: 'custody_shares_required', fields: { threshold, custodians: custodians.length } },
    );
  }
  const shares = envelope.keys.filter((key) => key.kind === 'custodian');
  const sealedTo = shares.map((key) => key.id).sort();
  const expected = custodians.map(String).sort();
  if (envelope.custody.threshold !== threshold || sealedTo.join() !== expected.join()) {
    throw new InvalidInputError(
      `The key shares must go ${threshold} of ${custodians.length} to organisations ${expected.join(', ')}; ` +
        `this record has ${envelope.custody.threshold} of ${sealedTo.length} to ${sealedTo.join(', ') || 'none'}.`,
      { reason: 'custody_shares_mismatch', fields: { threshold, custodians: expected.join(',') } },
    );
  }
  for (const share of shares) {
    const key = (await organisationKey(services, Number(share.id))).toLowerCase();
    if (share.publicKey.toLowerCase() !== key) {
      throw new InvalidInputError(
        `The key share for organisation ${share.id} is not sealed to its registered key.`,
        { reason: 'custody_share_key_mismatch', fields: { organisationId: Number(share.id) } },
      );
    }
  }
  return true;
}
