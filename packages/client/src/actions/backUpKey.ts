import type { KeyBackupCreated, RegisteredAccount } from '@medledger/api';
import {
  bytesToBase64url,
  consortiumTypes,
  createKeyBackup,
  InvalidInputError,
  isWalletIdentity,
} from '@medledger/core';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * Backs up the patient's keys to guardians (`core/src/keyBackup`): splits them `threshold`-of-n,
 * seals the shares here to the guardians' registered keys as the gateway reads them from the chain,
 * and has the gateway store the backup and commit its hash on chain, signed by the patient. A wallet
 * identity is refused (`wallet_identity_backup`): its wallet is its backup.
 *
 * @example
 * await backUpKey(patient, { guardians: [alice, bob, carol], threshold: 2 });
 */
export async function backUpKey(
  client: Transport,
  input: { guardians: readonly Address[]; threshold: number },
): Promise<KeyBackupCreated> {
  const { identity } = client;
  if (isWalletIdentity(identity)) {
    throw new InvalidInputError(
      'A wallet identity has no keys here to back up: the wallet’s own recovery phrase restores it, and the encryption key comes back from the same wallet.',
      { reason: 'wallet_identity_backup' },
    );
  }
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
    identity,
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
