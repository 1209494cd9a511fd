export type * from './apiTypes.ts';
export {
  createGatewayClient,
  errorFromResponse,
  type GatewayClient,
  type GatewayClientOptions,
  purposeCode,
} from './gatewayClient.ts';
export {
  type FollowNotificationsOptions,
  readEventStream,
  type ServerSentEvent,
} from './notificationMethods.ts';
export { type AuditTrailProofs, type AuditTrailReport, verifyAuditTrail } from './verifyAuditTrail.ts';
export {
  type VerificationProblem,
  type VerificationReport,
  type VerifyLedgerOptions,
  verifyLedger,
} from './verifyLedger.ts';
