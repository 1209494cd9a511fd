/** Shapes of the gateway's JSON answers, as the client reads them (the OpenAPI at /docs is the reference). */
import type { Action, Category, Sensitivity } from '@medledger/core';
import type { Address, Hex } from 'viem';

export type {
  AuditBatchPage,
  AuditEvent,
  AuditTrailProofs,
  CoSignaturePolicy,
  CoSignaturePolicyProposal,
  CoSigned,
  Emergency,
  EmergencyList,
  EmergencyPrivilegeSet,
  EmergencyWindow,
  EmergencyWindowVote,
  IndexedRecordAnchor,
  IndexedRecordAnchorPage,
  LedgerInfo,
  Notification,
  NotificationList,
  OtpEnrolment,
  RecordAccess,
  RecordAdded,
  RecordMetadata,
  SecondFactorStatus,
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
