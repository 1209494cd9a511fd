/**
 * The gateway's index of the chain: organisations, members, patients, grants, access requests and
 * records, rebuilt from the chain's events by the indexer (the chain stays the authority), and the
 * reasons given for access requests, which the gateway keeps itself (only their hash is on chain).
 */
import type { Address, Hex } from 'viem';
import type { DelegateEvent } from './delegateStore.ts';
import type { DerivationRow } from './derivationStore.ts';
import type { OrderEvent } from './orderStore.ts';

export interface RecordRow {
  recordId: Hex;
  patient: Address;
  author: Address;
  organisationId: number;
  category: number;
  sensitivity: number;
  contentDigest: Hex;
  cid: string;
  supersedes: Hex;
  supersededBy: Hex | null;
  createdAt: number;
  blockNumber: number;
  transactionHash: Hex;
}

/** A record the RecordActions contract erased (reason codes: the core's `erasureReasons`). */
export interface ErasureRow {
  recordId: Hex;
  patient: Address;
  by: Address;
  reason: number;
  /** Unix seconds (the erasure's block). */
  erasedAt: number;
  blockNumber: number;
  /** The erased record's blob ('' if the index did not hold the record). */
  cid: string;
}

/** A record hidden (soft-deleted) until its patient shows it again or its retention ends. */
export interface HiddenRow {
  recordId: Hex;
  patient: Address;
  by: Address;
  /** Unix seconds; 0: no end of retention. */
  retainUntil: number;
  blockNumber: number;
}

export interface GrantRow {
  grantId: number;
  patient: Address;
  grantee: Address | null;
  granteeOrganisation: number;
  categories: number;
  maxSensitivity: number;
  actions: number;
  purpose: Hex;
  expiresAt: number;
  requestId: number;
  grantedAtBlock: number;
  revokedAtBlock: number | null;
}

export type AccessRequestStatus = 'pending' | 'approved' | 'denied';

export interface AccessRequestRow {
  requestId: number;
  patient: Address;
  requester: Address;
  categories: number;
  actions: number;
  reasonHash: Hex;
  status: AccessRequestStatus;
  grantId: number | null;
  blockNumber: number;
}

export interface OrganisationRow {
  organisationId: number;
  name: string;
  kind: number;
  admin: Address;
  encryptionKey: Hex;
  gatewayUrl: string;
  active: boolean;
}

export interface MemberRow {
  address: Address;
  organisationId: number;
  role: number;
  encryptionKey: Hex;
  active: boolean;
}

/** A member's public profile, as its admin last set it (`MemberProfileSet`); empty strings for none. */
export interface MemberProfileRow {
  address: Address;
  organisationId: number;
  name: string;
  title: string;
  department: string;
}

export interface PatientRow {
  address: Address;
  organisationId: number;
  encryptionKey: Hex;
}

/** A batch of index changes derived from chain events, applied atomically with the cursor. */
export interface ChainIndexUpdate {
  toBlock: number;
  /** The hash of `toBlock` as it was read with these events: the index's checkpoint. */
  toBlockHash?: Hex;
  organisations: OrganisationRow[];
  organisationActivations: number[];
  members: MemberRow[];
  memberSuspensions: Address[];
  /** Members' profiles, in chain order (a later one replaces an earlier one). */
  memberProfiles?: MemberProfileRow[];
  patients: PatientRow[];
  grants: GrantRow[];
  revocations: { grantId: number; blockNumber: number }[];
  requests: AccessRequestRow[];
  requestDenials: number[];
  records: RecordRow[];
  supersessions: { recordId: Hex; supersededBy: Hex }[];
  /** Patients that rotated their key: their new encryption key; the sessions of the old key end. */
  patientKeyRotations?: { patient: Address; previousSigner: Address; encryptionKey: Hex }[];
  /** The Orders contract's events, in chain order (see orderStore.ts). */
  orderEvents?: OrderEvent[];
  /** The Delegates contract's events, in chain order (see delegateStore.ts). */
  delegateEvents?: DelegateEvent[];
  /** The RecordActions contract's derivations (copy, duplicate, move), in chain order. */
  derivations?: DerivationRow[];
  /** The RecordActions contract's erasures, hidings and unhidings, in chain order. */
  recordLifecycle?: RecordLifecycleEvent[];
}

export type RecordLifecycleEvent =
  | ({ type: 'erased' } & Omit<ErasureRow, 'cid'>)
  | ({ type: 'hidden' } & HiddenRow)
  | { type: 'unhidden'; recordId: Hex };

export interface ChainIndexStore {
  indexedBlock(): Promise<number | null>;
  /** The last indexed block with its hash, when the hash was stored. */
  indexedCheckpoint(): Promise<{ blockNumber: number; blockHash: Hex } | undefined>;
  applyChainIndex(update: ChainIndexUpdate): Promise<void>;
  /**
   * Forgets everything indexed from the chain (organisations, members, patients, grants, requests,
   * records), so that it is indexed again from the chain as it is now. Resolves with the record ids
   * that were indexed. Rows the gateway keeps itself (reasons, audit, sessions, ...) stay.
   */
  resetChainIndex(): Promise<Hex[]>;
  /** Rows the anchorer learnt from its own receipts, ahead of the indexer. */
  insertRecords(rows: RecordRow[]): Promise<void>;

  record(recordId: Hex): Promise<RecordRow | undefined>;
  recordsOfPatient(patient: Address): Promise<RecordRow[]>;
  allRecords(): Promise<RecordRow[]>;
  /** Up to `limit` records in the order of their ids, from the first id after `after` (from the start if null). */
  /** Records in the order of their ids after `after`, at most `limit`; only `patient`'s when given. */
  recordsPage(after: Hex | null, limit: number, patient?: Address): Promise<RecordRow[]>;
  grant(grantId: number): Promise<GrantRow | undefined>;
  grantsOfPatient(patient: Address): Promise<GrantRow[]>;
  grantsToActor(actor: Address, organisationId: number): Promise<GrantRow[]>;
  accessRequest(requestId: number): Promise<AccessRequestRow | undefined>;
  accessRequests(filter: { patient?: Address; requester?: Address }): Promise<AccessRequestRow[]>;
  organisation(organisationId: number): Promise<OrganisationRow | undefined>;
  organisations(): Promise<OrganisationRow[]>;
  member(address: Address): Promise<MemberRow | undefined>;
  membersOf(organisationId: number): Promise<MemberRow[]>;
  memberProfile(address: Address): Promise<MemberProfileRow | undefined>;
  patient(address: Address): Promise<PatientRow | undefined>;

  erasure(recordId: Hex): Promise<ErasureRow | undefined>;
  erasuresOfPatient(patient: Address): Promise<ErasureRow[]>;
  /** True if `cid` is the blob of an erased record: it is neither kept, fetched nor served. */
  isErasedCid(cid: string): Promise<boolean>;
  /** Erasures whose blob this gateway has not deleted yet. */
  erasuresWithBlob(): Promise<ErasureRow[]>;
  markBlobsDeleted(recordIds: readonly Hex[]): Promise<void>;
  hiddenRecord(recordId: Hex): Promise<HiddenRow | undefined>;
  hiddenOfPatient(patient: Address): Promise<HiddenRow[]>;
  /** Hidden records whose retention ended before `now` (unix seconds), at most `limit`. */
  retentionsDue(now: number, limit: number): Promise<HiddenRow[]>;

  saveRequestReason(reasonHash: Hex, reason: string): Promise<void>;
  requestReason(reasonHash: Hex): Promise<string | undefined>;
}
