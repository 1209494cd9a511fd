import type { AddRecordBody, RecordAdded } from '@medledger/api';
import {
  bytesToBase64url,
  bytesToHex,
  type Category,
  categoryIndex,
  digestOf,
  InvalidInputError,
  ledgerDomain,
  loadFhirDefinitions,
  type Recipient,
  type RecordLeaf,
  randomBytes,
  recordsTypes,
  type Sensitivity,
  sealRecord,
  sensitivities,
  utf8ToBytes,
  validateResource,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import { custodyRecipients, patientKeysOf } from '../lookups.ts';
import type { Transport } from '../transport.ts';

const zeroHash = `0x${'00'.repeat(32)}` as Hex;

export interface AddRecordInput {
  patient: Address;
  category: Category;
  sensitivity?: Sensitivity;
  /** A FHIR resource of the category. */
  resource: unknown;
  /** The record this one is a new version of. */
  supersedes?: Hex;
  /**
   * The new record's id (0x and 64 hex digits); 32 random bytes by default. A caller that derives
   * ids (a resumable import, `importBundle`) must keep them unguessable: record ids are public on
   * chain. The ledger refuses an id already anchored (`ConflictError`, `records_already_anchored`).
   */
  recordId?: Hex;
}

function checkRecordId(recordId: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(recordId) || /^0x0{64}$/.test(recordId)) {
    throw new InvalidInputError('Invalid recordId: expected 0x and 64 hex digits, not all zero.');
  }
  return recordId.toLowerCase() as Hex;
}

/**
 * Checks, encrypts, signs and uploads a FHIR resource as a record of `patient`; resolves once it is
 * anchored in a block.
 *
 * @example
 * const { recordId } = await addRecord(client, { patient, category: 'lab', resource: observation });
 */
export async function addRecord(client: Transport, input: AddRecordInput): Promise<RecordAdded> {
  return client.call<RecordAdded>('POST', '/api/records', await sealAndSignRecord(client, input));
}

/**
 * Checks a FHIR resource, encrypts it for the patient and the custodians, and signs its leaf as the
 * client: the body of `POST /api/records`, which orders' steps carry too (see `actions/orders.ts`).
 *
 * @example
 * const body = await sealAndSignRecord(client, { patient, category: 'lab', resource: serviceRequest });
 */
export async function sealAndSignRecord(client: Transport, input: AddRecordInput): Promise<AddRecordBody> {
  const sensitivity = input.sensitivity ?? 'normal';
  // A browser fetches the FHIR definitions on the first record it writes, not on page load.
  await loadFhirDefinitions();
  const resource = validateResource(input.resource, input.category);
  const [info, keys] = await Promise.all([client.ledger(), patientKeysOf(client, input.patient)]);
  const patient = input.patient.toLowerCase() as Address;
  const me = client.address;
  const recordId = input.recordId ? checkRecordId(input.recordId) : bytesToHex(randomBytes(32));
  const createdAt = Math.floor(Date.now() / 1000);
  const supersedes = (input.supersedes?.toLowerCase() as Hex | undefined) ?? zeroHash;
  const recipients: Recipient[] = [{ kind: 'patient', id: patient, publicKey: keys.encryptionKey }];
  const custody = await custodyRecipients(client, info);
  if (!custody && keys.custodian) {
    recipients.push({
      kind: 'custodian',
      id: String(keys.custodian.organisationId),
      publicKey: keys.custodian.encryptionKey,
    });
  }
  const { envelope, dataKey } = await sealRecord({
    plaintext: utf8ToBytes(JSON.stringify(resource)),
    metadata: { recordId, patient, author: me, category: input.category, sensitivity, supersedes, createdAt },
    recipients,
    ...(custody ? { custody } : {}),
  });
  dataKey.fill(0);
  const leaf: RecordLeaf = {
    recordId,
    patient,
    author: me,
    category: categoryIndex(input.category),
    sensitivity: sensitivities.indexOf(sensitivity),
    contentDigest: digestOf(envelope),
    supersedes,
    createdAt: BigInt(createdAt),
  };
  const signature = await client.account.signTypedData({
    domain: ledgerDomain('records', info.chainId, info.contracts.records),
    types: recordsTypes,
    primaryType: 'Record',
    message: leaf,
  });
  return { leaf: { ...leaf, createdAt }, signature, envelope: bytesToBase64url(envelope) };
}
