export {
  type AuditEventInput,
  type AuditEventLeafErrorType,
  type AuditOutcome,
  auditEventLeaf,
  auditEventTag,
  auditSequence,
  type CanonicalAuditEvent,
  canonicalAuditEvent,
  encodeAuditEvent,
} from './auditEvent.ts';
export {
  type AnchoredAuditBatch,
  type AuditBatch,
  type AuditLeaf,
  auditLeaf,
  auditLeafEncoding,
  auditLeafHash,
  type BuildAuditBatchErrorType,
  buildAuditBatch,
  verifyAuditInclusion,
  verifyAuditLeafInclusion,
} from './auditMerkle.ts';
export { type AuditTagKeyErrorType, auditFallbackTagKey, auditLeafTag, auditTagKey } from './auditTag.ts';
export {
  type AuditProblem,
  type AuditProblemKind,
  type VerifyAuditLogParameters,
  type VerifyAuditLogReturnType,
  verifyAuditLog,
} from './verifyAuditLog.ts';
