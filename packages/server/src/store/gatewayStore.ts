/**
 * The gateway's own state, behind one contract so that SQLite (the embedded default) and other
 * databases can hold it. Everything here except sessions, audit events and request reasons is an
 * index of the chain, rebuilt from its events by the indexer; the chain stays the authority.
 */
import type { Address, Hex } from 'viem';

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

export interface PatientRow {
  address: Address;
  organisationId: number;
  encryptionKey: Hex;
}

export type AuditOutcome = 'allowed' | 'denied';

/** One access decision. Never holds health data: ids, addresses, categories and outcomes only. */
export interface AuditEventRow {
  /** Position in this gateway's audit log: 0, 1, 2, … without gaps; set by the store. */
  sequence?: number;
  eventId: string;
  recordedAt: number;
  actor: Address;
  patient: Address | null;
  action: string;
  recordId: Hex | null;
  category: number | null;
  sensitivity: number | null;
  purpose: string | null;
  outcome: AuditOutcome;
  reason: string | null;
}

/**
 * The leaf of an audit event as it was (or is about to be) anchored: its sequence number, event
 * hash and per-patient tag (`@medledger/core` audit). Kept apart from the event, so the gateway
 * serves exactly what it anchored.
 */
export interface AuditLeafRow {
  sequence: number;
  eventHash: Hex;
  tag: Hex;
}

/** A batch of audit events whose Merkle root is anchored on chain. */
export interface AuditBatchRow {
  batchIndex: number;
  firstSequence: number;
  count: number;
  root: Hex;
  transactionHash: Hex;
  blockNumber: number;
}

/** A patient's TOTP second factor: the secret encrypted with the gateway's key (never in clear at rest). */
export interface SecondFactorRow {
  address: Address;
  /** AES-256-GCM nonce and ciphertext of the TOTP secret; the address is the associated data. */
  secretIv: Uint8Array;
  secretCiphertext: Uint8Array;
  /** False until the patient confirms the enrolment with a first valid code. */
  enabled: boolean;
  /** The last TOTP time step accepted (-1 for none): a code of that step or earlier is refused. */
  lastCounter: number;
}

export interface SessionRow {
  tokenHash: string;
  /** The account signed in. */
  address: Address;
  /** The key that signed the sign-in message: the account's own, or the key a patient rotated to. */
  signer: Address;
  expiresAt: number;
}

/** A patient's key backup, as committed on chain (`Consortium.keyBackupOf`); the latest one only. */
export interface KeyBackupRow {
  patient: Address;
  backupId: Hex;
  /** The backup's canonical JSON (`core/src/keyBackup`), whose keccak256 is committed on chain. */
  backup: string;
  guardians: Address[];
  storedAt: number;
}

/** A request, from a device without the patient's key, for the guardians' shares of a backup. */
export interface KeyRecoveryRequestRow {
  requestId: Hex;
  patient: Address;
  backupId: Hex;
  recoveryKey: Hex;
  createdAt: number;
  expiresAt: number;
  /** SHA-256 of the secret token with which the device fetches the shares. */
  tokenHash: Hex;
}

/** A guardian's share, sealed to a request's recovery key. */
export interface KeyRecoveryShareRow {
  requestId: Hex;
  guardian: Address;
  share: number;
  enc: string;
  ct: string;
  approvedAt: number;
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
  patients: PatientRow[];
  grants: GrantRow[];
  revocations: { grantId: number; blockNumber: number }[];
  requests: AccessRequestRow[];
  requestDenials: number[];
  records: RecordRow[];
  supersessions: { recordId: Hex; supersededBy: Hex }[];
  /** Patients that rotated their key: their new encryption key; the sessions of the old key end. */
  patientKeyRotations?: { patient: Address; previousSigner: Address; encryptionKey: Hex }[];
}

export interface AuditQuery {
  patient?: Address;
  actor?: Address;
  actors?: Address[];
  limit?: number;
}

export interface GatewayStore {
  close(): Promise<void>;

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
  recordsPage(after: Hex | null, limit: number): Promise<RecordRow[]>;
  grant(grantId: number): Promise<GrantRow | undefined>;
  grantsOfPatient(patient: Address): Promise<GrantRow[]>;
  grantsToActor(actor: Address, organisationId: number): Promise<GrantRow[]>;
  accessRequest(requestId: number): Promise<AccessRequestRow | undefined>;
  accessRequests(filter: { patient?: Address; requester?: Address }): Promise<AccessRequestRow[]>;
  organisation(organisationId: number): Promise<OrganisationRow | undefined>;
  organisations(): Promise<OrganisationRow[]>;
  member(address: Address): Promise<MemberRow | undefined>;
  membersOf(organisationId: number): Promise<MemberRow[]>;
  patient(address: Address): Promise<PatientRow | undefined>;

  saveRequestReason(reasonHash: Hex, reason: string): Promise<void>;
  requestReason(reasonHash: Hex): Promise<string | undefined>;

  appendAuditEvents(events: AuditEventRow[]): Promise<void>;
  auditEvents(query: AuditQuery): Promise<AuditEventRow[]>;
  /** Events from `firstSequence` on, in order (the outbox of the audit anchorer). */
  auditEventsFrom(firstSequence: number, limit: number): Promise<AuditEventRow[]>;
  /** Stores leaves before their batch is anchored; a leaf already stored for a sequence is kept. */
  saveAuditLeaves(leaves: AuditLeafRow[]): Promise<void>;
  /** Stored leaves from `firstSequence` on, in order, at most `limit`. */
  auditLeaves(firstSequence: number, limit: number): Promise<AuditLeafRow[]>;
  saveAuditBatch(batch: AuditBatchRow): Promise<void>;
  auditBatches(): Promise<AuditBatchRow[]>;

  secondFactor(address: Address): Promise<SecondFactorRow | undefined>;
  /** Creates or replaces the (pending or enabled) second factor of `row.address`. */
  saveSecondFactor(row: SecondFactorRow): Promise<void>;
  deleteSecondFactor(address: Address): Promise<void>;
  /** Records `counter` as used if it is later than the last one used; false (nothing changed) otherwise. */
  useSecondFactorCounter(address: Address, counter: number): Promise<boolean>;
  recordSecondFactorFailure(address: Address, at: number): Promise<void>;
  /** Times (ms) of the failed attempts of `address` since `since`, oldest first. */
  secondFactorFailures(address: Address, since: number): Promise<number[]>;
  clearSecondFactorFailures(address: Address): Promise<void>;

  saveSignInNonce(nonce: string, expiresAt: number): Promise<void>;
  /** Removes the nonce; true when it existed and had not expired. */
  consumeSignInNonce(nonce: string, now: number): Promise<boolean>;
  saveSession(session: SessionRow): Promise<void>;
  session(tokenHash: string, now: number): Promise<SessionRow | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session opened with `signer`'s signature (a key rotated out). */
  deleteSessionsOfSigner(signer: Address): Promise<void>;

  /** Stores a patient's backup, replacing the one before. */
  saveKeyBackup(backup: KeyBackupRow): Promise<void>;
  keyBackup(patient: Address): Promise<KeyBackupRow | undefined>;
  saveKeyRecoveryRequest(request: KeyRecoveryRequestRow): Promise<void>;
  keyRecoveryRequest(requestId: Hex): Promise<KeyRecoveryRequestRow | undefined>;
  /** Removes a request and the shares guardians gave for it. */
  deleteKeyRecoveryRequest(requestId: Hex): Promise<void>;
  /** Requests not expired at `now`: of one patient, or of the backups `guardian` holds a share of. */
  openKeyRecoveryRequests(
    filter: { patient?: Address; guardian?: Address },
    now: number,
  ): Promise<KeyRecoveryRequestRow[]>;
  /** Stores a guardian's share; false if that guardian already answered the request. */
  saveKeyRecoveryShare(share: KeyRecoveryShareRow): Promise<boolean>;
  keyRecoveryShares(requestId: Hex): Promise<KeyRecoveryShareRow[]>;
}
