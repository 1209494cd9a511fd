/** Shapes of the gateway's JSON answers, as the client reads them (the OpenAPI at /docs is the reference). */
import type { Action, AuditEventInput, AuditLeaf, Category, Sensitivity } from '@medledger/core';
import type { Address, Hex } from 'viem';

export type {
  Emergency,
  EmergencyList,
  EmergencyPrivilegeSet,
  EmergencyWindow,
  EmergencyWindowVote,
  LedgerInfo,
  Notification,
  NotificationList,
  OtpEnrolment,
  SecondFactorStatus,
} from '@medledger/api';

/**
 * A record anchor as a gateway indexed it (`GET /api/ledger/records`): the fields of the chain's
 * `RecordAnchored` event, category and sensitivity as their codes.
 */
export interface IndexedRecordAnchor {
  recordId: Hex;
  patient: Address;
  author: Address;
  organisationId: number;
  category: number;
  sensitivity: number;
  contentDigest: Hex;
  cid: string;
  supersedes: Hex;
  createdAt: number;
  blockNumber: number;
  transactionHash: Hex;
}

export interface IndexedRecordAnchorPage {
  records: IndexedRecordAnchor[];
  /** The `after` of the next page; null after the last. */
  next: Hex | null;
}

export interface Me {
  address: Address;
  member: { organisationId: number; role: number; active: boolean; encryptionKey: Hex } | null;
  patient: { registered: boolean; encryptionKey: Hex; organisationId: number } | null;
}

export interface Transaction {
  transactionHash: Hex;
  blockNumber: number;
}

export interface OrganisationCreated extends Transaction {
  organisationId: number;
  status: 'active' | 'pending';
}

export interface Organisation {
  organisationId: number;
  name: string;
  kind: string;
  status: 'active' | 'pending';
  admin: Address;
  encryptionKey: Hex;
  gatewayUrl: string;
}

export interface Member {
  address: Address;
  role: string;
  active: boolean;
  encryptionKey: Hex;
}

export interface MemberAdded extends Transaction {
  address: Address;
  organisationId: number;
  role: string;
}

export interface PatientRegistered extends Transaction {
  address: Address;
  organisationId: number;
}

export interface PatientKeys {
  address: Address;
  encryptionKey: Hex;
  organisationId: number;
  custodian: { organisationId: number; encryptionKey: Hex } | null;
}

export interface RecordAdded extends Transaction {
  recordId: Hex;
  cid: string;
  contentDigest: Hex;
  organisationId: number;
}

export interface RecordMetadata {
  recordId: Hex;
  patient: Address;
  author: Address;
  organisationId: number;
  category: Category;
  sensitivity: Sensitivity;
  cid: string;
  contentDigest: Hex;
  supersedes: Hex | null;
  supersededBy: Hex | null;
  createdAt: number;
  blockNumber: number;
  transactionHash: Hex;
  /** In record lists: the record's multi-signature stamp. */
  stamp?: Stamp;
}

export interface RecordAccess {
  record: RecordMetadata;
  envelope: string;
  /** v1 records: the whole data key, re-sealed to the reader. */
  sealedKey: { enc: string; ct: string } | null;
  /** v2 (k-of-n) records: this gateway's share of the data key, re-sealed to the reader. */
  sealedShare?: { share: number; enc: string; ct: string } | null;
}

export interface ConsentGranted extends Transaction {
  grantId: number;
}

export interface Consent {
  grantId: number;
  patient: Address;
  grantee: Address | null;
  granteeOrganisation: number | null;
  categories: Category[];
  maxSensitivity: Sensitivity;
  actions: Action[];
  purpose: string;
  expiresAt: number;
  requestId: number | null;
  status: 'active' | 'revoked' | 'expired';
}

export interface AccessRequest {
  requestId: number;
  patient: Address;
  requester: Address;
  categories: Category[];
  actions: Action[];
  reason: string | null;
  status: 'pending' | 'approved' | 'denied';
  grantId: number | null;
}

export interface AuditEvent {
  eventId: string;
  recordedAt: string;
  actor: Address;
  patient: Address | null;
  action: string;
  recordId: Hex | null;
  category: Category | null;
  sensitivity: Sensitivity | null;
  purpose: string | null;
  outcome: 'allowed' | 'denied';
  reason: string | null;
}

export interface AuditTrailProofs {
  organisationId: number | null;
  /** The caller's events; `tag` and `proof` are null until the event's batch is anchored. */
  events: { event: AuditEventInput & { sequence: number }; tag: Hex | null; proof: Hex[] | null }[];
}

export interface AuditBatchPage {
  organisationId: number | null;
  batches: { batchIndex: number; firstSequence: number; count: number; root: Hex; leaves: AuditLeaf[] }[];
  /** The batch index to ask for next, or null after the last anchored batch. */
  nextBatch: number | null;
}

export interface StampSigner {
  address: Address;
  /** `author` signed the record when it was anchored; `co-signer` added a co-signature. */
  as: 'author' | 'co-signer';
  /** A member role, or `patient`. */
  role: string;
  organisationId: number;
}

/** A record's multi-signature stamp: final or draft under its category's co-signature policy. */
export interface Stamp {
  status: 'final' | 'draft';
  /** The policy version the record is judged by (0: no policy, final at once). */
  policyVersion: number;
  signers: StampSigner[];
}

export interface CoSigned extends Transaction {
  recordId: Hex;
  signer: Address;
  /** Whether the record is final once this co-signature counts. */
  finalised: boolean;
}

export interface CoSignaturePolicy {
  category: Category;
  version: number;
  requirements: { role: string; count: number; sameOrganisation: boolean }[];
  patient: boolean;
  enactedAt: number | null;
}

export interface CoSignaturePolicyProposal {
  proposalId: number;
  category: Category;
  requirements: { role: string; count: number; sameOrganisation: boolean }[];
  patient: boolean;
  proposerOrganisationId: number;
  approvals: number;
  status: 'pending' | 'enacted' | 'overtaken';
}
