import type { RecordMetadata } from '@medledger/api';
import {
  base64urlToBytes,
  bytesToUtf8,
  digestOf,
  IntegrityError,
  openRecord,
  openRecordFromShares,
  openResealedDataKey,
  parseEnvelope,
  unwrapDataKey,
} from '@medledger/core';
import type { Hex } from 'viem';
import { gatherShares } from '../keyShares.ts';
import type { Transport } from '../transport.ts';
import { accessRecord } from './accessRecord.ts';

/**
 * Fetches a record's envelope and key, checks the envelope against its anchored digest, and
 * decrypts it (gathering k key shares from the custodians' gateways when the record is split).
 * The one verified read: the CLI (`record get`, `export`), the FHIR server and the web app all read
 * records through it. The gateway audits the read under `purpose` (and a refusal, as
 * `AccessDeniedError`).
 *
 * @example
 * const { record, resource } = await readRecord(client, recordId, 'TREAT');
 */
export async function readRecord(
  client: Transport,
  recordId: Hex,
  purpose?: string,
): Promise<{ record: RecordMetadata; resource: unknown }> {
  const { identity, address: me } = client;
  const answer = await accessRecord(client, recordId, purpose);
  const bytes = base64urlToBytes(answer.envelope, 'envelope');
  if (digestOf(bytes) !== answer.record.contentDigest) {
    throw new IntegrityError(`The envelope of record ${recordId} does not match its anchored digest.`);
  }
  const envelope = parseEnvelope(bytes);
  if (envelope.meta.recordId.toLowerCase() !== recordId.toLowerCase()) {
    throw new IntegrityError(`The envelope served for record ${recordId} belongs to another record.`);
  }
  const secret = identity.encryption.secretKey;
  // The patient opens its own slot, unless the slot is sealed to a key it has rotated out since.
  const ownSlot =
    envelope.meta.patient.toLowerCase() === me &&
    envelope.keys.some(
      (key) =>
        key.kind === 'patient' && key.publicKey.toLowerCase() === identity.encryption.publicKey.toLowerCase(),
    );
  if (envelope.v === 2 && !answer.sealedKey && !ownSlot) {
    const shares = await gatherShares(client, envelope, answer, purpose);
    const { plaintext, dataKey } = await openRecordFromShares(envelope, shares, secret);
    dataKey.fill(0);
    return { record: answer.record, resource: JSON.parse(bytesToUtf8(plaintext)) };
  }
  const dataKey = answer.sealedKey
    ? await openResealedDataKey(
        { enc: base64urlToBytes(answer.sealedKey.enc), ct: base64urlToBytes(answer.sealedKey.ct) },
        secret,
        envelope.meta.recordId,
      )
    : await unwrapDataKey(envelope, { kind: 'patient', id: me }, secret);
  try {
    return { record: answer.record, resource: JSON.parse(bytesToUtf8(openRecord(envelope, dataKey))) };
  } finally {
    dataKey.fill(0);
  }
}
