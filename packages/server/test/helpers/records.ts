/** FHIR resources and hand-built record submissions, for tests that tamper with what the client does right. */
import {
  accountOf,
  bytesToBase64url,
  bytesToHex,
  type Category,
  categoryIndex,
  digestOf,
  type EnvelopeMetadata,
  type Identity,
  type Recipient,
  type RecordLeaf,
  randomBytes,
  recordsTypes,
  type SealRecordParameters,
  type Sensitivity,
  sealRecord,
  sensitivities,
  utf8ToBytes,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import { call } from './http.ts';

export const zeroHash = `0x${'00'.repeat(32)}` as Hex;

export function labResult(text = 'Haemoglobin 13.5 g/dL') {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { text },
    valueQuantity: { value: 13.5, unit: 'g/dL' },
  };
}

export function medication(text = 'Aspirin 75 mg daily') {
  return {
    resourceType: 'MedicationStatement',
    status: 'active',
    medicationCodeableConcept: { text },
    subject: { reference: 'Patient/example' },
  };
}

export interface RecordSubmission {
  leaf: Omit<RecordLeaf, 'createdAt'> & { createdAt: number };
  signature: Hex;
  envelope: string;
}

export interface BuildRecordOptions {
  url: string;
  author: Identity;
  /** The patient (only its address and public encryption key are used). */
  patient: Pick<Identity, 'address' | 'encryption'>;
  category?: Category;
  sensitivity?: Sensitivity;
  resource?: unknown;
  /** Recipients of the data key; default: the patient's and its custodian's registered keys. */
  recipients?: Recipient[];
  /** Splits the data key k-of-n to these custodians (envelope v2); `recipients` then lists patients only. */
  custody?: SealRecordParameters['custody'];
  /** Changes the envelope's metadata (the leaf keeps the true values). */
  envelopeMetadata?: Partial<EnvelopeMetadata>;
  /** Changes the leaf after the envelope is sealed and before it is signed. */
  leaf?: Partial<RecordLeaf>;
}

/**
 * Encrypts and signs a record as the client does, with optional tampering, and returns the
 * body of `POST /api/records` (not sent).
 */
export async function buildRecord(options: BuildRecordOptions): Promise<RecordSubmission> {
  const { url, author } = options;
  const patient = options.patient.address.toLowerCase() as Address;
  const authorAddress = author.address.toLowerCase() as Address;
  const category = options.category ?? 'lab';
  const sensitivity = options.sensitivity ?? 'normal';
  const ledger = (await call(url, 'GET', '/api/ledger')).body as {
    chainId: number;
    contracts: { records: Address };
  };
  const recipients = options.recipients ?? (await registeredRecipients(url, options.patient));
  const recordId = bytesToHex(randomBytes(32));
  const createdAt = Math.floor(Date.now() / 1000);
  const metadata: EnvelopeMetadata = {
    recordId,
    patient,
    author: authorAddress,
    category,
    sensitivity,
    supersedes: zeroHash,
    createdAt,
    ...options.envelopeMetadata,
  };
  const { envelope } = await sealRecord({
    plaintext: utf8ToBytes(JSON.stringify(options.resource ?? labResult())),
    metadata,
    recipients,
    ...(options.custody ? { custody: options.custody } : {}),
  });
  const leaf: RecordLeaf = {
    recordId,
    patient,
    author: authorAddress,
    category: categoryIndex(category),
    sensitivity: sensitivities.indexOf(sensitivity),
    contentDigest: digestOf(envelope),
    supersedes: zeroHash,
    createdAt: BigInt(createdAt),
    ...options.leaf,
  };
  const signature = await accountOf(author).signTypedData({
    domain: {
      name: 'medledger.Records',
      version: '1',
      chainId: ledger.chainId,
      verifyingContract: ledger.contracts.records,
    },
    types: recordsTypes,
    primaryType: 'Record',
    message: leaf,
  });
  return {
    leaf: { ...leaf, createdAt: Number(leaf.createdAt) },
    signature,
    envelope: bytesToBase64url(envelope),
  };
}

/** The patient's key and this gateway's custodian key, as the client seals a record. */
async function registeredRecipients(
  url: string,
  patient: Pick<Identity, 'address' | 'encryption'>,
): Promise<Recipient[]> {
  const ledger = (await call(url, 'GET', '/api/ledger')).body as {
    custodian: { encryptionKey: Hex; organisationIds: number[] };
  };
  return [
    { kind: 'patient', id: patient.address.toLowerCase(), publicKey: patient.encryption.publicKey },
    {
      kind: 'custodian',
      id: String(ledger.custodian.organisationIds[0]),
      publicKey: ledger.custodian.encryptionKey,
    },
  ];
}
