/**
 * Key rotation: a patient moves to a new signing key and a new encryption key and keeps its id, its
 * records and its consents.
 *
 * - On chain (`Consortium.rotatePatientKey`), signed by the current key and by the new one: from
 *   then on the new key signs for the patient's address (grants, revocations, records, sign-in)
 *   and the old one is refused; grants already given stay in force; new records are sealed to the
 *   new encryption key.
 * - Records written before: their custodians re-seal the data key to the patient's current key
 *   when it reads them, like for any reader (`recordRoutes.ts`). A record without a custodian
 *   (a patient registered with no organisation, before k-of-n custody) is re-encrypted by
 *   `keepRecordsReadable` as a new version under the new key, decrypted with the old one.
 */

import type * as Api from '@medledger/api';
import type { KeyRotated, RotateKeyBody } from '@medledger/api';
import {
  accountOf,
  bytesToHex,
  bytesToUtf8,
  consortiumTypes,
  digestOf,
  generateIdentity,
  type Identity,
  IntegrityError,
  identityFromKeys,
  ledgerDomain,
  MedledgerError,
  openRecord,
  parseEnvelope,
  randomBytes,
  signerAddressOf,
  unwrapDataKey,
} from '@medledger/core';
import type { Hex } from 'viem';
import type { GatewayClient } from './gatewayClient.ts';

export type { KeyRotated };

/** What became of each current record of the patient after a rotation. */
export interface RecordsAfterRotation {
  /** Read with the new key. */
  readable: Hex[];
  /** Had no custodian: re-encrypted under the new key, as a new version (old id → new id). */
  reencrypted: { recordId: Hex; newRecordId: Hex }[];
  /** Could not be read; why. */
  unreadable: { recordId: Hex; reason: string }[];
}

/**
 * Fresh keys for the patient `client` acts for: a new signing key acting for its address and a
 * new encryption key.
 *
 * @example
 * const next = newPatientKeys(patient); // write it somewhere safe before rotating
 */
export function newPatientKeys(client: GatewayClient): Identity {
  const fresh = generateIdentity();
  return identityFromKeys({
    signingKey: fresh.signingKey,
    encryptionSecretKey: fresh.encryption.secretKey,
    account: client.address,
  });
}

/**
 * Rotates the patient's keys to `next` (from `newPatientKeys`): the current key and the new one
 * both sign the rotation. Resolves once it is in a block; `client` signs nothing more after it.
 *
 * @example
 * const next = newPatientKeys(patient);
 * await rotateKey(patient, next);
 */
export async function rotateKey(client: GatewayClient, next: Identity): Promise<KeyRotated> {
  const body = await signKeyRotation(client, next);
  return client.call<KeyRotated>('POST', `/api/patients/${client.address}/key-rotation`, body);
}

/**
 * The rotation of `client`'s patient to `next`, signed by the current key and by the new one, as
 * `POST /api/patients/:address/key-rotation` takes it. `rotateKey` signs and sends it.
 *
 * @example
 * const body = await signKeyRotation(patient, newPatientKeys(patient));
 */
export async function signKeyRotation(client: GatewayClient, next: Identity): Promise<RotateKeyBody> {
  if (next.address.toLowerCase() !== client.address) {
    throw new IntegrityError('The new keys must act for the same patient.');
  }
  const info = await client.ledger();
  const message = {
    patient: client.address,
    newSigner: signerAddressOf(next),
    newEncryptionKey: next.encryption.publicKey,
    nonce: BigInt(bytesToHex(randomBytes(32))),
    deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
  };
  const typedData = {
    domain: ledgerDomain('consortium', info.chainId, info.contracts.consortium),
    types: consortiumTypes,
    primaryType: 'RotatePatientKey',
    message,
  } as const;
  const [signature, newSignerSignature] = await Promise.all([
    accountOf(client.identity).signTypedData(typedData),
    accountOf(next).signTypedData(typedData),
  ]);
  return {
    newSigner: message.newSigner,
    encryptionKey: message.newEncryptionKey,
    nonce: message.nonce.toString(),
    deadline: message.deadline.toString(),
    signature,
    newSignerSignature,
  };
}

/**
 * After a rotation: reads every current record of the patient with the new keys, and re-encrypts
 * under them those no custodian can re-seal (decrypting them with the old encryption key).
 *
 * @example
 * const report = await keepRecordsReadable(oldIdentity, createGatewayClient({ url, identity: next }));
 */
export async function keepRecordsReadable(
  previous: Identity,
  client: GatewayClient,
): Promise<RecordsAfterRotation> {
  const report: RecordsAfterRotation = { readable: [], reencrypted: [], unreadable: [] };
  const { records } = await client.listRecords(client.address);
  for (const record of records.filter((r) => !r.supersededBy)) {
    try {
      const envelope = await fetchEnvelope(client.url, record);
      if (envelope.keys.some((key) => key.kind === 'custodian')) {
        await client.readRecord(record.recordId);
        report.readable.push(record.recordId);
        continue;
      }
      const dataKey = await unwrapDataKey(
        envelope,
        { kind: 'patient', id: client.address },
        previous.encryption.secretKey,
      );
      const resource = JSON.parse(bytesToUtf8(openRecord(envelope, dataKey)));
      dataKey.fill(0);
      const added = await client.addRecord({
        patient: client.address,
        category: record.category,
        sensitivity: record.sensitivity,
        resource,
        supersedes: record.recordId,
      });
      report.reencrypted.push({ recordId: record.recordId, newRecordId: added.recordId });
    } catch (error) {
      report.unreadable.push({
        recordId: record.recordId,
        reason: error instanceof MedledgerError ? error.shortMessage : String(error),
      });
    }
  }
  return report;
}

/** A record's envelope from the gateway's blob store (ciphertext, public), checked against its digest. */
async function fetchEnvelope(url: string, record: Api.RecordMetadata) {
  let response: Response;
  try {
    response = await fetch(`${url}/api/blobs/${record.cid}`);
  } catch (cause) {
    throw new MedledgerError(`Cannot reach the gateway at ${url}.`, { cause });
  }
  if (!response.ok)
    throw new MedledgerError(`The blob of record ${record.recordId} answered HTTP ${response.status}.`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (digestOf(bytes) !== record.contentDigest) {
    throw new IntegrityError(`The envelope of record ${record.recordId} does not match its anchored digest.`);
  }
  return parseEnvelope(bytes);
}
