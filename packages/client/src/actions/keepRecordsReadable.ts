import type { RecordMetadata } from '@medledger/api';
import {
  bytesToUtf8,
  digestOf,
  type Identity,
  IntegrityError,
  MedledgerError,
  openRecord,
  parseEnvelope,
  unwrapDataKey,
} from '@medledger/core';
import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';
import { addRecord } from './addRecord.ts';
import { listRecords } from './listRecords.ts';
import { readRecord } from './readRecord.ts';

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
 * After a rotation: reads every current record of the patient with the new keys (`client` acts with
 * them), and re-encrypts under them those no custodian can re-seal, decrypting them with the
 * `previous` identity's encryption key. (The previous identity comes first, as it always has: the
 * one exception to client-first, kept so that callers need no change.)
 *
 * @example
 * const report = await keepRecordsReadable(oldIdentity, createGatewayClient({ url, identity: next }));
 */
export async function keepRecordsReadable(
  previous: Identity,
  client: Transport,
): Promise<RecordsAfterRotation> {
  const report: RecordsAfterRotation = { readable: [], reencrypted: [], unreadable: [] };
  const { records } = await listRecords(client, client.address);
  for (const record of records.filter((r) => !r.supersededBy)) {
    try {
      const envelope = await fetchEnvelope(client.url, record);
      if (envelope.keys.some((key) => key.kind === 'custodian')) {
        await readRecord(client, record.recordId);
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
      const added = await addRecord(client, {
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
async function fetchEnvelope(url: string, record: RecordMetadata) {
  let response: Response;
  try {
    response = await fetch(`${url}/api/blobs/${record.cid}`);
  } catch (cause) {
    throw new MedledgerError(`Cannot reach the gateway at ${url}.`, { cause, reason: 'gateway_unreachable' });
  }
  if (!response.ok)
    throw new MedledgerError(`The blob of record ${record.recordId} answered HTTP ${response.status}.`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (digestOf(bytes) !== record.contentDigest) {
    throw new IntegrityError(`The envelope of record ${record.recordId} does not match its anchored digest.`);
  }
  return parseEnvelope(bytes);
}
