/** Shapes of the gateway's JSON answers, as the client reads them (the OpenAPI at /docs is the reference). */
import type { Action, Category, EmergencyReason, EmergencyVerdict, Sensitivity } from '@medledger/core';
import type { Address, Hex } from 'viem';

export type {
  AuditBatchPage,
  AuditEvent,
  AuditTrailProofs,
  CoSignaturePolicy,
  CoSignaturePolicyProposal,
  CoSigned,
  IndexedRecordAnchor,
  IndexedRecordAnchorPage,
  LedgerInfo,
  RecordAccess,
  RecordAdded,
  RecordMetadata,
  Stamp,
  StampSigner,
} from '@medledger/api';

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

export interface SecondFactorStatus {
  /** The one-time code is on: approvals need it. */
  enabled: boolean;
  /** An enrolment waits for its first code. */
  pending: boolean;
  /** The chain accepts this patient's grants only from its home gateway. */
  homeRelayOnly: boolean;
  /** This gateway is the patient's home gateway. */
  homeGateway: boolean;
}

export interface EmergencyPrivilegeSet extends Transaction {
  member: Address;
  privileged: boolean;
  organisationId: number;
}

/** An emergency (break the glass) as its member, its patient and its organisation's admins see it. */
export interface Emergency {
  emergencyId: number;
  member: Address;
  patient: Address;
  organisationId: number;
  reason: EmergencyReason;
  /** The member's text: shown to the member and to its organisation's admins at the gateway that keeps it. */
  justification: string | null;
  /** What it opens to its member: these categories, this sensitivity, read only. */
  categories: Category[];
  sensitivity: Sensitivity;
  /** Unix seconds (chain time). */
  declaredAt: number;
  expiresAt: number;
  status: 'open' | 'ended';
  verdict: EmergencyVerdict;
  reviewer: Address | null;
  reviewedAt: number | null;
  blockNumber: number;
  transactionHash: Hex;
}

/**
 * A notification: what happened (`kind`), with ids, addresses, category names and times in `data`,
 * never health content. Kinds: access-requested, access-request-approved, access-request-denied,
 * grant-used, record-added, record-co-signed, emergency-declared, emergency-reviewed, emergency-ended,
 * emergency-privilege-set.
 */
export interface Notification {
  /** Increasing; resume a stream after the last one seen. */
  id: number;
  kind: string;
  createdAt: string;
  data: Record<string, string | number | boolean | null | string[]>;
}
