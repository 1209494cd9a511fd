/** The API contract's types (answers of the gateway), for callers of the client. */
export type * from '@medledger/api';
export type { PolicyRequirementInput } from './coSignatureActions.ts';
export { errorFromResponse } from './errorFromResponse.ts';
export {
  createGatewayClient,
  type GatewayClient,
  type GatewayClientOptions,
  purposeCode,
} from './gatewayClient.ts';
export {
  backUpKey,
  type KeyBackupCommitment,
  type KeyBackupCreated,
  keyBackupOf,
  type RegisteredAccount,
} from './keyBackup.ts';
export {
  approveKeyRecovery,
  finishKeyRecovery,
  type KeyRecoveryRequestDetails,
  keyRecoveryRequest,
  type PendingKeyRecovery,
  pendingKeyRecoveries,
  startKeyRecovery,
} from './keyRecovery.ts';
export {
  type KeyRotated,
  keepRecordsReadable,
  newPatientKeys,
  type RecordsAfterRotation,
  rotateKey,
  signKeyRotation,
} from './keyRotation.ts';
export {
  type FollowNotificationsOptions,
  readEventStream,
  type ServerSentEvent,
} from './notificationMethods.ts';
export type { VerificationProblem, VerificationProblemKind } from './verificationProblem.ts';
export {
  type AuditTrailReport,
  type VerifyAuditTrailOptions,
  verifyAuditTrail,
} from './verifyAuditTrail.ts';
export {
  type ChainRecordAnchor,
  compareIndexWithChain,
  gatewayRecordAnchors,
} from './verifyGatewayIndex.ts';
export {
  type VerificationReport,
  type VerifyLedgerOptions,
  verifyLedger,
} from './verifyLedger.ts';
