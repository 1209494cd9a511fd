/**
 * Key backup operations (see `core/src/keyBackup` for the cryptography): a patient stores its backup
 * here and commits its hash on chain in the same call; the gateway checks that the backup holds the
 * patient's current keys (by their public halves) and that every share is sealed to a registered
 * member's or patient's current key. The patient and its guardians read it back.
 */
import type {
  KeyBackupCommitment,
  KeyBackupCreated,
  KeyBackupParams,
  KeyBackupView,
  StoreKeyBackupBody,
} from '@medledger/api';
import {
  base64urlToBytes,
  bytesToBase64url,
  bytesToUtf8,
  ConflictError,
  checkKeyBackupCommitment,
  InvalidInputError,
  type KeyBackup,
  keyBackupHash,
  NotFoundError,
  parseKeyBackup,
  utf8ToBytes,
} from '@medledger/core';
import { type Address, isAddressEqual } from 'viem';
import { registeredAccount } from '../accountKeys.ts';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import type { KeyBackupRow } from '../store/gatewayStore.ts';
import { requireSigner, signedArgs } from './signedActions.ts';

/** Unix seconds, by the gateway's clock. */
export const unixNow = () => Math.floor(Date.now() / 1000);

/** The chain's commitment to the patient's backup, and whether it still holds the patient's current key. */
export async function keyBackupCommitment(
  { ledger }: GatewayServices,
  patient: Address,
): Promise<KeyBackupCommitment> {
  const [committed, signer] = await Promise.all([
    ledger.read('consortium', 'keyBackupOf', [patient]),
    ledger.read('consortium', 'signerOf', [patient]),
  ]);
  return {
    backupId: committed.backupId,
    backupHash: committed.backupHash,
    signer: committed.signer,
    committedAt: Number(committed.committedAt),
    holdsCurrentKey: isAddressEqual(committed.signer, signer),
  };
}

/**
 * The patient's stored backup, which must be the one committed on chain (`IntegrityError`
 * otherwise) and hold its current key (`ConflictError`, reason `key_backup_outdated`); none is
 * `NotFoundError` with reason `no_such_key_backup`.
 */
export async function currentKeyBackup(
  services: GatewayServices,
  patient: Address,
): Promise<{ row: KeyBackupRow; backup: KeyBackup }> {
  const row = await services.store.keyBackup(patient);
  if (!row) {
    throw new NotFoundError(`No key backup of ${patient} at this gateway.`, { reason: 'no_such_key_backup' });
  }
  const committed = await keyBackupCommitment(services, patient);
  const backup = checkKeyBackupCommitment(utf8ToBytes(row.backup), committed);
  if (!committed.holdsCurrentKey) {
    throw new ConflictError(
      `The key backup of ${patient} holds a key that was rotated out since; the patient should back up its new key.`,
      { reason: 'key_backup_outdated' },
    );
  }
  return { row, backup };
}

/**
 * Stores the patient's backup (replacing its previous one) and relays its signed `CommitKeyBackup`.
 * Refuses a backup that does not hold the patient's current keys (`backup_keys_not_current`) and
 * guardians that are not registered (`guardian_not_registered`), suspended (`guardian_suspended`)
 * or whose share is sealed to another key (`guardian_key_mismatch`), each with field `guardian`.
 */
export async function storeKeyBackup(
  services: GatewayServices,
  session: Session,
  body: StoreKeyBackupBody,
): Promise<KeyBackupCreated> {
  const { ledger, store, auditLog } = services;
  const bytes = base64urlToBytes(body.backup, 'backup');
  const backup = parseKeyBackup(bytes);
  const patient = requireSigner(session, backup.patient, 'key backup');
  const [registered, signer] = await Promise.all([
    ledger.read('consortium', 'patient', [patient]),
    ledger.read('consortium', 'signerOf', [patient]),
  ]);
  if (!registered.registered) {
    throw new NotFoundError(`${patient} is not a registered patient.`, { reason: 'not_a_patient' });
  }
  if (
    !isAddressEqual(signer, backup.signer) ||
    registered.encryptionKey.toLowerCase() !== backup.encryptionKey
  ) {
    throw new InvalidInputError('The backup does not hold the patient’s current keys.', {
      reason: 'backup_keys_not_current',
    });
  }
  await Promise.all(
    backup.guardians.map(async ({ guardian, publicKey }) => {
      const fields = { guardian };
      const account = await registeredAccount(ledger, guardian).catch((error: unknown) => {
        if (error instanceof NotFoundError) {
          throw new InvalidInputError(`Guardian ${guardian} is neither a member nor a patient.`, {
            reason: 'guardian_not_registered',
            fields,
          });
        }
        throw error;
      });
      if (!account.active) {
        throw new InvalidInputError(`Guardian ${guardian} is a suspended member.`, {
          reason: 'guardian_suspended',
          fields,
        });
      }
      if (account.encryptionKey.toLowerCase() !== publicKey) {
        throw new InvalidInputError(
          `The share of guardian ${guardian} is not sealed to its registered key.`,
          {
            reason: 'guardian_key_mismatch',
            fields,
          },
        );
      }
    }),
  );
  const backupHash = keyBackupHash(bytes);
  const sent = await ledger.write('consortium', 'commitKeyBackup', [
    patient,
    backup.backupId,
    backupHash,
    ...signedArgs(body),
  ]);
  const guardians = backup.guardians.map((g) => g.guardian);
  await store.saveKeyBackup({
    patient,
    backupId: backup.backupId,
    backup: bytesToUtf8(bytes),
    guardians,
    storedAt: unixNow(),
  });
  await auditLog.record({
    actor: patient,
    patient,
    action: 'key-backup',
    recordId: null,
    category: null,
    sensitivity: null,
    purpose: null,
    outcome: 'allowed',
    reason: `${backup.threshold} of ${guardians.length} guardians`,
  });
  return {
    patient: patient.toLowerCase() as Address,
    backupId: backup.backupId,
    backupHash,
    threshold: backup.threshold,
    guardians,
    transactionHash: sent.hash,
    blockNumber: Number(sent.blockNumber),
  };
}

/**
 * A patient's backup with the chain's commitment, for the patient and its guardians (access control
 * decides); anyone else, or none stored, is `NotFoundError` with reason `no_such_key_backup`.
 */
export async function getKeyBackup(
  services: GatewayServices,
  session: Session,
  params: KeyBackupParams,
): Promise<KeyBackupView> {
  const patient = params.patient.toLowerCase() as Address;
  const row = await services.store.keyBackup(patient);
  if (!row) {
    throw new NotFoundError(`No key backup of ${patient} that you may see.`, {
      reason: 'no_such_key_backup',
    });
  }
  await services.access.authoriseKeyBackupRead(session.address, patient, row.guardians);
  return {
    backup: bytesToBase64url(utf8ToBytes(row.backup)),
    backupId: row.backupId,
    committed: await keyBackupCommitment(services, patient),
  };
}
