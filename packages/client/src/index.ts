export type * from './apiTypes.ts';
export type { PolicyRequirementInput } from './coSignatureActions.ts';
export {
  createGatewayClient,
  errorFromResponse,
  type GatewayClient,
  type GatewayClientOptions,
  purposeCode,
} from './gatewayClient.ts';
export {
  type AuditBatchPage,
  type AuditTrailProofs,
  type AuditTrailReport,
  type VerifyAuditTrailOptions,
  verifyAuditTrail,
} from './verifyAuditTrail.ts';
export {
  type VerificationProblem,
  type VerificationReport,
  type VerifyLedgerOptions,
  verifyLedger,
} from './verifyLedger.ts';
