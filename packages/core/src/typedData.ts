/**
 * EIP-712 typed data of every action an actor signs. The contracts (contracts/src) declare the
 * same type strings; a contract test checks that both sides hash a message identically.
 *
 * Every action but a record carries a random `nonce` (unordered nonces: the contract remembers
 * each used one per signer) and a `deadline` (unix seconds). A record needs no nonce: its
 * `recordId` can be anchored only once.
 */
import { type Address, type Hex, hashStruct, type TypedDataDomain } from 'viem';

export const domainNames = {
  consortium: 'medledger.Consortium',
  consents: 'medledger.Consents',
  records: 'medledger.Records',
  coSignatures: 'medledger.CoSignatures',
  emergencies: 'medledger.Emergencies',
} as const;
export type LedgerContract = keyof typeof domainNames;
export const domainVersion = '1';

export function ledgerDomain(
  contract: LedgerContract,
  chainId: number,
  verifyingContract: Address,
): TypedDataDomain {
  return { name: domainNames[contract], version: domainVersion, chainId, verifyingContract };
}

export const consortiumTypes = {
  ProposeOrganisation: [
    { name: 'name', type: 'string' },
    { name: 'kind', type: 'uint8' },
    { name: 'admin', type: 'address' },
    { name: 'encryptionKey', type: 'bytes32' },
    { name: 'gatewayUrl', type: 'string' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  ApproveOrganisation: [
    { name: 'organisationId', type: 'uint32' },
    { name: 'approver', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  AddMember: [
    { name: 'organisationId', type: 'uint32' },
    { name: 'member', type: 'address' },
    { name: 'role', type: 'uint8' },
    { name: 'encryptionKey', type: 'bytes32' },
    { name: 'admin', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  SuspendMember: [
    { name: 'member', type: 'address' },
    { name: 'admin', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  RegisterPatient: [
    { name: 'patient', type: 'address' },
    { name: 'encryptionKey', type: 'bytes32' },
    { name: 'organisationId', type: 'uint32' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  SetGateway: [
    { name: 'organisationId', type: 'uint32' },
    { name: 'gatewayUrl', type: 'string' },
    { name: 'relayer', type: 'address' },
    { name: 'admin', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  ProposeCustody: [
    { name: 'custodians', type: 'uint32[]' },
    { name: 'threshold', type: 'uint8' },
    { name: 'admin', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  ApproveCustody: [
    { name: 'proposalId', type: 'uint256' },
    { name: 'approver', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  RotatePatientKey: [
    { name: 'patient', type: 'address' },
    { name: 'newSigner', type: 'address' },
    { name: 'newEncryptionKey', type: 'bytes32' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  CommitKeyBackup: [
    { name: 'patient', type: 'address' },
    { name: 'backupId', type: 'bytes32' },
    { name: 'backupHash', type: 'bytes32' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

export const consentsTypes = {
  Grant: [
    { name: 'patient', type: 'address' },
    { name: 'grantee', type: 'address' },
    { name: 'granteeOrganisation', type: 'uint32' },
    { name: 'categories', type: 'uint32' },
    { name: 'maxSensitivity', type: 'uint8' },
    { name: 'actions', type: 'uint8' },
    { name: 'purpose', type: 'bytes32' },
    { name: 'expiresAt', type: 'uint64' },
    { name: 'requestId', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  Revoke: [
    { name: 'patient', type: 'address' },
    { name: 'grantId', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  RequestAccess: [
    { name: 'requester', type: 'address' },
    { name: 'patient', type: 'address' },
    { name: 'categories', type: 'uint32' },
    { name: 'actions', type: 'uint8' },
    { name: 'reasonHash', type: 'bytes32' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  DenyRequest: [
    { name: 'patient', type: 'address' },
    { name: 'requestId', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  SetHomeRelayOnly: [
    { name: 'patient', type: 'address' },
    { name: 'enabled', type: 'bool' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

export const recordsTypes = {
  Record: [
    { name: 'recordId', type: 'bytes32' },
    { name: 'patient', type: 'address' },
    { name: 'author', type: 'address' },
    { name: 'category', type: 'uint8' },
    { name: 'sensitivity', type: 'uint8' },
    { name: 'contentDigest', type: 'bytes32' },
    { name: 'supersedes', type: 'bytes32' },
    { name: 'createdAt', type: 'uint64' },
  ],
} as const;

/**
 * Co-signatures (multi-signature stamps) and the consortium's per-category co-signature policies. A
 * `CoSignature` needs no nonce: a signer co-signs a record once.
 */
export const coSignaturesTypes = {
  CoSignature: [
    { name: 'recordId', type: 'bytes32' },
    { name: 'contentDigest', type: 'bytes32' },
    { name: 'signer', type: 'address' },
  ],
  Requirement: [
    { name: 'role', type: 'uint8' },
    { name: 'count', type: 'uint8' },
    { name: 'sameOrganisation', type: 'bool' },
  ],
  ProposePolicy: [
    { name: 'category', type: 'uint8' },
    { name: 'requirements', type: 'Requirement[]' },
    { name: 'patient', type: 'bool' },
    { name: 'admin', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  ApprovePolicy: [
    { name: 'proposalId', type: 'uint256' },
    { name: 'approver', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

export const emergenciesTypes = {
  SetEmergencyPrivilege: [
    { name: 'member', type: 'address' },
    { name: 'privileged', type: 'bool' },
    { name: 'admin', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  DeclareEmergency: [
    { name: 'member', type: 'address' },
    { name: 'patient', type: 'address' },
    { name: 'reasonCode', type: 'uint8' },
    { name: 'justificationHash', type: 'bytes32' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  ReviewEmergency: [
    { name: 'emergencyId', type: 'uint256' },
    { name: 'verdict', type: 'uint8' },
    { name: 'reviewer', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  ProposeEmergencyWindow: [
    { name: 'windowSeconds', type: 'uint64' },
    { name: 'admin', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  ApproveEmergencyWindow: [
    { name: 'proposalId', type: 'uint256' },
    { name: 'approver', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

export interface ProposeOrganisationMessage {
  name: string;
  kind: number;
  admin: Address;
  encryptionKey: Hex;
  gatewayUrl: string;
  nonce: bigint;
  deadline: bigint;
}
export interface ApproveOrganisationMessage {
  organisationId: number;
  approver: Address;
  nonce: bigint;
  deadline: bigint;
}
export interface AddMemberMessage {
  organisationId: number;
  member: Address;
  role: number;
  encryptionKey: Hex;
  admin: Address;
  nonce: bigint;
  deadline: bigint;
}
export interface SuspendMemberMessage {
  member: Address;
  admin: Address;
  nonce: bigint;
  deadline: bigint;
}
export interface RegisterPatientMessage {
  patient: Address;
  encryptionKey: Hex;
  organisationId: number;
  nonce: bigint;
  deadline: bigint;
}
/** Where an organisation's gateway is reached and the address it relays (and anchors audit batches) from. */
export interface SetGatewayMessage {
  organisationId: number;
  gatewayUrl: string;
  relayer: Address;
  admin: Address;
  nonce: bigint;
  deadline: bigint;
}
/** A k-of-n custody configuration: `threshold` (k) of the organisations `custodians` (n <= 16). */
export interface ProposeCustodyMessage {
  custodians: readonly number[];
  threshold: number;
  admin: Address;
  nonce: bigint;
  deadline: bigint;
}
export interface ApproveCustodyMessage {
  proposalId: bigint;
  approver: Address;
  nonce: bigint;
  deadline: bigint;
}
/**
 * A patient moves to a new signing key and encryption key; signed by its current key and by the new
 * one (the same message).
 */
export interface RotatePatientKeyMessage {
  patient: Address;
  newSigner: Address;
  newEncryptionKey: Hex;
  nonce: bigint;
  deadline: bigint;
}
/** A patient commits the hash of its key backup (see `keyBackup/`). */
export interface CommitKeyBackupMessage {
  patient: Address;
  backupId: Hex;
  backupHash: Hex;
  nonce: bigint;
  deadline: bigint;
}
export interface GrantMessage {
  patient: Address;
  grantee: Address;
  granteeOrganisation: number;
  categories: number;
  maxSensitivity: number;
  actions: number;
  purpose: Hex;
  expiresAt: bigint;
  requestId: bigint;
  nonce: bigint;
  deadline: bigint;
}
export interface RevokeMessage {
  patient: Address;
  grantId: bigint;
  nonce: bigint;
  deadline: bigint;
}
export interface RequestAccessMessage {
  requester: Address;
  patient: Address;
  categories: number;
  actions: number;
  reasonHash: Hex;
  nonce: bigint;
  deadline: bigint;
}
export interface DenyRequestMessage {
  patient: Address;
  requestId: bigint;
  nonce: bigint;
  deadline: bigint;
}
/** The record leaf: what the author signs and what the chain anchors (as its EIP-712 struct hash). */
export interface RecordLeaf {
  recordId: Hex;
  patient: Address;
  author: Address;
  category: number;
  sensitivity: number;
  contentDigest: Hex;
  supersedes: Hex;
  createdAt: bigint;
}

/**
 * The EIP-712 struct hash of a record leaf: what the Records contract keeps as the anchor's `leaf`
 * (`anchorOf(recordId).leaf`), so a copy of a record's fields is checked against the chain with one read.
 */
export function recordLeafHash(leaf: RecordLeaf): Hex {
  return hashStruct({ data: { ...leaf }, primaryType: 'Record', types: recordsTypes });
}

/** What a co-signer signs: the anchored record's id and content digest. */
export interface CoSignatureMessage {
  recordId: Hex;
  contentDigest: Hex;
  signer: Address;
}
/** One requirement of a co-signature policy: `count` signers of member role `role` (1..6). */
export interface CoSignatureRequirement {
  role: number;
  count: number;
  /** Only signers of the record author's organisation count. */
  sameOrganisation: boolean;
}
export interface ProposePolicyMessage {
  category: number;
  requirements: readonly CoSignatureRequirement[];
  /** The record's patient must co-sign. */
  patient: boolean;
  admin: Address;
  nonce: bigint;
  deadline: bigint;
}
export interface ApprovePolicyMessage {
  proposalId: bigint;
  approver: Address;
  nonce: bigint;
  deadline: bigint;
}
/** Only the patient's home gateway may relay its grants (see Consents.setHomeRelayOnly). */
export interface SetHomeRelayOnlyMessage {
  patient: Address;
  enabled: boolean;
  nonce: bigint;
  deadline: bigint;
}
/** An organisation admin gives (or takes away) a member's emergency privilege. */
export interface SetEmergencyPrivilegeMessage {
  member: Address;
  privileged: boolean;
  admin: Address;
  nonce: bigint;
  deadline: bigint;
}
/** A privileged member declares an emergency; the justification stays off chain (see `justificationHashOf`). */
export interface DeclareEmergencyMessage {
  member: Address;
  patient: Address;
  reasonCode: number;
  justificationHash: Hex;
  nonce: bigint;
  deadline: bigint;
}
/** An admin of the member's organisation judges an emergency: verdict 1 justified, 2 unjustified. */
export interface ReviewEmergencyMessage {
  emergencyId: bigint;
  verdict: number;
  reviewer: Address;
  nonce: bigint;
  deadline: bigint;
}
export interface ProposeEmergencyWindowMessage {
  windowSeconds: bigint;
  admin: Address;
  nonce: bigint;
  deadline: bigint;
}
export interface ApproveEmergencyWindowMessage {
  proposalId: bigint;
  approver: Address;
  nonce: bigint;
  deadline: bigint;
}
