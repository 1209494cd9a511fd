import type { KeyBackupCommitment, KeyBackupView } from '@medledger/api';
import { base64urlToBytes, checkKeyBackupCommitment, type KeyBackup } from '@medledger/core';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * A patient's key backup, for the patient or one of its guardians, checked against the chain's
 * commitment (`IntegrityError` if it was changed since the patient made it).
 *
 * @example
 * const { backup, committed } = await keyBackupOf(patient, patient.address);
 */
export async function keyBackupOf(
  client: Transport,
  patient: Address,
): Promise<{ backup: KeyBackup; committed: KeyBackupCommitment }> {
  const answer = await client.call<KeyBackupView>('GET', `/api/key-backups/${patient.toLowerCase()}`);
  return {
    backup: checkKeyBackupCommitment(base64urlToBytes(answer.backup, 'backup'), answer.committed),
    committed: answer.committed,
  };
}
