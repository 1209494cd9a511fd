/**
 * The gateway's own state, by area, on one database (SQLite, the embedded default, or PostgreSQL).
 * Everything in the chain index is rebuilt from the chain's events by the indexer; the chain stays
 * the authority. `GatewayStore` is every area at once, as the services use it.
 */
import type { AuditStore } from './auditStore.ts';
import type { ChainIndexStore } from './chainIndexStore.ts';
import type { DelegateStore } from './delegateStore.ts';
import type { DerivationStore } from './derivationStore.ts';
import type { KeyRecoveryStore } from './keyRecoveryStore.ts';
import type { OrderStore } from './orderStore.ts';
import type { RateLimitStore } from './rateLimitStore.ts';
import type { SecondFactorStore } from './secondFactorStore.ts';
import type { SessionStore } from './sessionStore.ts';

export type {
  AuditBatchRow,
  AuditEventRow,
  AuditLeafRow,
  AuditOutcome,
  AuditQuery,
  AuditStore,
} from './auditStore.ts';
export type {
  AccessRequestRow,
  AccessRequestStatus,
  ChainIndexStore,
  ChainIndexUpdate,
  ErasureRow,
  GrantRow,
  HiddenRow,
  MemberRow,
  OrganisationRow,
  PatientRow,
  RecordLifecycleEvent,
  RecordRow,
} from './chainIndexStore.ts';
export type { DelegateEvent, DelegateRow, DelegateStore } from './delegateStore.ts';
export type { DerivationRow, DerivationStore } from './derivationStore.ts';
export type {
  KeyBackupRow,
  KeyRecoveryRequestRow,
  KeyRecoveryShareRow,
  KeyRecoveryStore,
} from './keyRecoveryStore.ts';
export type { OrderEvent, OrderFilter, OrderRow, OrderStepRow, OrderStore } from './orderStore.ts';
export type { RateLimitStore, RateLimitWindow } from './rateLimitStore.ts';
export type { SecondFactorRow, SecondFactorStore } from './secondFactorStore.ts';
export type { SessionRow, SessionStore } from './sessionStore.ts';

export interface GatewayStore
  extends ChainIndexStore,
    AuditStore,
    SessionStore,
    SecondFactorStore,
    KeyRecoveryStore,
    RateLimitStore,
    OrderStore,
    DelegateStore,
    DerivationStore {
  /** Closes the database connection the areas share. */
  close(): Promise<void>;
}
