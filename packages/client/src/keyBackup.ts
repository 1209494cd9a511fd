/**
 * Backing up a patient's keys to guardians (`core/src/keyBackup`): the shares are made and sealed
 * here, to the guardians' registered keys as the gateway reads them from the chain; the gateway
 * stores the backup and commits its hash on chain, signed by the patient.
 */

import type { KeyBackupCommitment, KeyBackupCreated, KeyBackupView, RegisteredAccount } from '@medledger/api';
import {
  base64urlToBytes,
  bytesToBase64url,
  checkKeyBackupCommitment,
  consortiumTypes,
  createKeyBackup,
  InvalidInputError,
  type KeyBackup,
} from '@medledger/core';
import type { Address } from 'viem';
import type { GatewayClient } from './gatewayClient.ts';

export type { KeyBackupCommitment, KeyBackupCreated, RegisteredAccount } from '@medledger/api';

/**
 * Splits the client's keys `threshold`-of-n among `guardians` and has the gateway store the backup
 * and commit it on chain.
 *
 * @example
 * await backUpKey(patient, { guardians: [alice, bob, carol], threshold: 2 });
 */
export async function backUpKey(
  client: GatewayClient,
  input: { guardians: readonly Address[]; threshold: number },
): Promise<KeyBackupCreated> {
  const guardians = await Promise.all(
    input.guardians.map(async (guardian) => {
      const account = await client.call<RegisteredAccount>(
        'GET',
        `/api/accounts/${guardian.toLowerCase()}/encryption-key`,
      );
      if (!account.active) throw new InvalidInputError(`Guardian ${guardian} is a suspended member.`);
      return { guardian: account.address, publicKey: account.encryptionKey };
    }),
  );
  const { backup, bytes, backupHash } = await createKeyBackup({
    identity: client.identity,
    guardians,
    threshold: input.threshold,
  });
  const signed = await client.signAction('consortium', consortiumTypes, 'CommitKeyBackup', {
    patient: client.address,
    backupId: backup.backupId,
    backupHash,
  });
  return client.call<KeyBackupCreated>('POST', '/api/key-backups', {
    backup: bytesToBase64url(bytes),
    ...signed,
  });
}

/**
 * A patient's key backup, for the patient or one of its guardians, checked against the chain's
 * commitment (`IntegrityError` if it was changed since the patient made it).
 *
 * @example
 * const { backup, committed } = await keyBackupOf(patient, patient.address);
 */
export async function keyBackupOf(
  client: GatewayClient,
  patient: Address,
): Promise<{ backup: KeyBackup; committed: KeyBackupCommitment }> {
  const answer = await client.call<KeyBackupView>('GET', `/api/key-backups/${patient.toLowerCase()}`);
  return {
    backup: checkKeyBackupCommitment(base64urlToBytes(answer.backup, 'backup'), answer.committed),
    committed: answer.committed,
  };
}
