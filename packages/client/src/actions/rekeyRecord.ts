import type { RecordAdded } from '@medledger/api';
import { AccessDeniedError } from '@medledger/core';
import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';
import { addRecord } from './addRecord.ts';
import { readRecord } from './readRecord.ts';

/**
 * As the patient: encrypts the record again under a fresh data key (new shares to the custodians)
 * as a new version that supersedes it. A reader who kept the old key, say before a revocation, can
 * open nothing of the new version.
 *
 * @example
 * const { recordId: newVersion } = await rekeyRecord(patient, recordId);
 */
export async function rekeyRecord(client: Transport, recordId: Hex): Promise<RecordAdded> {
  const { record, resource } = await readRecord(client, recordId);
  if (record.patient.toLowerCase() !== client.address) {
    throw new AccessDeniedError('Only the patient re-keys its records.');
  }
  return addRecord(client, {
    patient: client.address,
    category: record.category,
    sensitivity: record.sensitivity,
    resource,
    supersedes: record.recordId,
  });
}
