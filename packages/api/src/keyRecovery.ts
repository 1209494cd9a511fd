/**
 * The key recovery area: a patient's key backup split among guardians (committed on chain), and its
 * recovery by a device that lost the key: requests (made without sign-in), guardians' approvals
 * (their shares sealed to the request's recovery key) and the shares fetched with the request's token.
 */
import type { ApiType } from './apiType.ts';
import { address, base64url, bytes32, object, signedFields, uint64 } from './schemaParts.ts';

/** `POST /api/key-backups`: the backup (base64url of its JSON) and the patient's signed `CommitKeyBackup`. */
export const storeKeyBackupBody = object({ backup: { ...base64url, maxLength: 16_000 }, ...signedFields }, [
  'backup',
  'nonce',
  'deadline',
  'signature',
]);
export type StoreKeyBackupBody = ApiType<typeof storeKeyBackupBody>;

export const keyBackupCreated = object(
  {
    patient: address,
    backupId: bytes32,
    backupHash: bytes32,
    threshold: { type: 'integer', description: 'how many guardians’ shares rebuild the key' },
    guardians: { type: 'array', items: address },
    transactionHash: bytes32,
    blockNumber: { type: 'integer' },
  },
  ['patient', 'backupId', 'backupHash', 'threshold', 'guardians', 'transactionHash', 'blockNumber'],
);
export type KeyBackupCreated = ApiType<typeof keyBackupCreated>;

/** `GET /api/key-backups/:patient` path. */
export const keyBackupParams = object({ patient: address }, ['patient']);
export type KeyBackupParams = ApiType<typeof keyBackupParams>;

/** The chain's commitment to a patient's backup. */
export const keyBackupCommitment = object(
  {
    backupId: bytes32,
    backupHash: bytes32,
    signer: address,
    committedAt: { type: 'integer', description: 'unix seconds, chain time' },
    holdsCurrentKey: {
      type: 'boolean',
      description: 'false once the patient rotated its key after this backup: it then holds a retired key',
    },
  },
  ['backupId', 'backupHash', 'signer', 'committedAt', 'holdsCurrentKey'],
);
export type KeyBackupCommitment = ApiType<typeof keyBackupCommitment>;

/** A backup as the patient and its guardians read it, with the chain's commitment to check it by. */
export const keyBackupView = object(
  { backup: base64url, backupId: bytes32, committed: keyBackupCommitment },
  ['backup', 'backupId', 'committed'],
);
export type KeyBackupView = ApiType<typeof keyBackupView>;

/** A recovery request as the device made it; its verification code is computed from these fields. */
export const recoveryRequest = object(
  {
    requestId: bytes32,
    patient: address,
    backupId: bytes32,
    recoveryKey: { ...bytes32, description: 'the device’s temporary X25519 public key' },
    createdAt: { type: 'integer', description: 'unix seconds' },
  },
  ['requestId', 'patient', 'backupId', 'recoveryKey', 'createdAt'],
);
export type RecoveryRequestView = ApiType<typeof recoveryRequest>;

/** `POST /api/key-recovery/requests` (no sign-in): the device's request and the SHA-256 of its token. */
export const startKeyRecoveryBody = object(
  { requestId: bytes32, patient: address, recoveryKey: bytes32, createdAt: uint64, tokenHash: bytes32 },
  ['requestId', 'patient', 'recoveryKey', 'createdAt', 'tokenHash'],
);
export type StartKeyRecoveryBody = ApiType<typeof startKeyRecoveryBody>;

const expiresAt = { type: 'integer', description: 'unix seconds' } as const;

export const keyRecoveryStarted = object(
  {
    request: recoveryRequest,
    expiresAt,
    threshold: { type: 'integer' },
    guardianCount: { type: 'integer' },
  },
  ['request', 'expiresAt', 'threshold', 'guardianCount'],
);
export type KeyRecoveryStarted = ApiType<typeof keyRecoveryStarted>;

/** `GET /api/key-recovery/requests`: open requests for the backups the caller guards. */
export const pendingKeyRecoveries = object(
  {
    requests: {
      type: 'array',
      items: object(
        {
          request: recoveryRequest,
          expiresAt,
          approved: { type: 'boolean', description: 'the caller approved it already' },
        },
        ['request', 'expiresAt', 'approved'],
      ),
    },
  },
  ['requests'],
);
export type PendingKeyRecoveries = ApiType<typeof pendingKeyRecoveries>;

/** A request id in the path. */
export const recoveryRequestParams = object({ id: bytes32 }, ['id']);
export type RecoveryRequestParams = ApiType<typeof recoveryRequestParams>;

/** `GET /api/key-recovery/requests/:id`: a request and the backup it is for, for its guardians. */
export const keyRecoveryRequestForGuardian = object(
  {
    request: recoveryRequest,
    expiresAt,
    backup: base64url,
    committed: keyBackupCommitment,
    approvals: { type: 'array', items: address, description: 'the guardians who approved it' },
  },
  ['request', 'expiresAt', 'backup', 'committed', 'approvals'],
);
export type KeyRecoveryRequestForGuardian = ApiType<typeof keyRecoveryRequestForGuardian>;

/** A guardian's share, sealed (HPKE) to the request's recovery key. */
export const approveKeyRecoveryBody = object(
  {
    share: { type: 'integer', minimum: 1, maximum: 255 },
    enc: { ...base64url, maxLength: 64 },
    ct: { ...base64url, maxLength: 128 },
  },
  ['share', 'enc', 'ct'],
);
export type ApproveKeyRecoveryBody = ApiType<typeof approveKeyRecoveryBody>;

export const keyRecoveryApproved = object(
  { requestId: bytes32, approvals: { type: 'integer' }, threshold: { type: 'integer' } },
  ['requestId', 'approvals', 'threshold'],
);
export type KeyRecoveryApproved = ApiType<typeof keyRecoveryApproved>;

/** `POST /api/key-recovery/requests/:id/shares` (no sign-in): the request's secret token. */
export const keyRecoverySharesBody = object({ token: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } }, [
  'token',
]);
export type KeyRecoverySharesBody = ApiType<typeof keyRecoverySharesBody>;

export const keyRecoveryShares = object(
  {
    request: recoveryRequest,
    expiresAt,
    backup: object(
      {
        backupId: bytes32,
        patient: address,
        signer: address,
        encryptionKey: bytes32,
        threshold: { type: 'integer' },
        guardianCount: { type: 'integer' },
      },
      ['backupId', 'patient', 'signer', 'encryptionKey', 'threshold', 'guardianCount'],
    ),
    shares: {
      type: 'array',
      items: object({ guardian: address, share: { type: 'integer' }, enc: base64url, ct: base64url }, [
        'guardian',
        'share',
        'enc',
        'ct',
      ]),
    },
  },
  ['request', 'expiresAt', 'backup', 'shares'],
);
export type KeyRecoveryShares = ApiType<typeof keyRecoveryShares>;
