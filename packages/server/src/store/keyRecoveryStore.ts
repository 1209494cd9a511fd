/** Patients' key backups and the recovery requests guardians answer with their shares. */
import type { Address, Hex } from 'viem';

/** A patient's key backup, as committed on chain (`Consortium.keyBackupOf`); the latest one only. */
export interface KeyBackupRow {
  patient: Address;
  backupId: Hex;
  /** The backup's canonical JSON (`core/src/keyBackup`), whose keccak256 is committed on chain. */
  backup: string;
  guardians: Address[];
  storedAt: number;
}

/** A request, from a device without the patient's key, for the guardians' shares of a backup. */
export interface KeyRecoveryRequestRow {
  requestId: Hex;
  patient: Address;
  backupId: Hex;
  recoveryKey: Hex;
  createdAt: number;
  expiresAt: number;
  /** SHA-256 of the secret token with which the device fetches the shares. */
  tokenHash: Hex;
}

/** A guardian's share, sealed to a request's recovery key. */
export interface KeyRecoveryShareRow {
  requestId: Hex;
  guardian: Address;
  share: number;
  enc: string;
  ct: string;
  approvedAt: number;
}

export interface KeyRecoveryStore {
  /** Stores a patient's backup, replacing the one before. */
  saveKeyBackup(backup: KeyBackupRow): Promise<void>;
  keyBackup(patient: Address): Promise<KeyBackupRow | undefined>;
  saveKeyRecoveryRequest(request: KeyRecoveryRequestRow): Promise<void>;
  keyRecoveryRequest(requestId: Hex): Promise<KeyRecoveryRequestRow | undefined>;
  /** Removes a request and the shares guardians gave for it. */
  deleteKeyRecoveryRequest(requestId: Hex): Promise<void>;
  /** Requests not expired at `now`: of one patient, or of the backups `guardian` holds a share of. */
  openKeyRecoveryRequests(
    filter: { patient?: Address; guardian?: Address },
    now: number,
  ): Promise<KeyRecoveryRequestRow[]>;
  /** Stores a guardian's share; false if that guardian already answered the request. */
  saveKeyRecoveryShare(share: KeyRecoveryShareRow): Promise<boolean>;
  keyRecoveryShares(requestId: Hex): Promise<KeyRecoveryShareRow[]>;
}
