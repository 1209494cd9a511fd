export {
  type CreateKeyBackupParameters,
  checkKeyBackupCommitment,
  createKeyBackup,
  type Guardian,
  type GuardianShare,
  type KeyBackup,
  type KeyBackupHeader,
  keyBackupHash,
  keyBackupShareInfo,
  keyRecoveryShareInfo,
  openGuardianShare,
  parseKeyBackup,
  type RecoveryShare,
  recoverIdentity,
  resealGuardianShare,
  serializeKeyBackup,
} from './keyBackup.ts';
export {
  normalizeRecoveryRequest,
  type RecoveryRequest,
  recoveryRequestCode,
  sameRecoveryCode,
} from './recoveryRequest.ts';
