/**
 * EIP-712 typed data of every action an actor signs. The types are generated from the contracts'
 * `*_TYPEHASH` type strings (`contracts/generated/typedData.ts`, by `contracts/scripts/compile.ts`); the
 * message interfaces below are written by hand (to carry their documentation) and fail to typecheck if
 * they differ from the generated types (`MessagesInStepWithContracts`); a contract test checks that both
 * sides hash a message identically.
 *
 * Every action but a record carries a random `nonce` (unordered nonces: the contract remembers
 * each used one per signer) and a `deadline` (unix seconds). A record needs no nonce: its
 * `recordId` can be anchored only once.
 */
import {
  consentsTypedData,
  consortiumTypedData,
  coSignaturesTypedData,
  delegatesTypedData,
  emergenciesTypedData,
  ordersTypedData,
  recordActionsTypedData,
  recordsTypedData,
} from '@medledger/contracts/typedData';
import {
  type Address,
  type Hex,
  hashStruct,
  type TypedData,
  type TypedDataDefinition,
  type TypedDataDomain,
} from 'viem';

/** The EIP-712 domain name of each ledger contract (its `SignedActions` or `EIP712` constructor argument). */
export const domainNames = {
  consortium: consortiumTypedData.domainName,
  consents: consentsTypedData.domainName,
  records: recordsTypedData.domainName,
  coSignatures: coSignaturesTypedData.domainName,
  emergencies: emergenciesTypedData.domainName,
  orders: ordersTypedData.domainName,
  delegates: delegatesTypedData.domainName,
  recordActions: recordActionsTypedData.domainName,
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

/** The Consortium's signed actions (organisations, members, patients, gateways, custody, patient keys). */
export const consortiumTypes = consortiumTypedData.types;

/** The Consents contract's signed actions (grants, revocations, access requests). */
export const consentsTypes = consentsTypedData.types;

/** The record leaf the Records contract anchors. */
export const recordsTypes = recordsTypedData.types;

/**
 * Co-signatures (multi-signature stamps) and the consortium's per-category co-signature policies. A
 * `CoSignature` needs no nonce: a signer co-signs a record once.
 */
export const coSignaturesTypes = coSignaturesTypedData.types;

/** The Emergencies contract's signed actions (privileges, declarations, reviews, the window). */
export const emergenciesTypes = emergenciesTypedData.types;

/** The Orders contract's signed actions (placing an order, its status, its result, a dispense). */
export const ordersTypes = ordersTypedData.types;

/** The Delegates contract's signed actions (a patient adds or removes a delegate). */
export const delegatesTypes = delegatesTypedData.types;
/** The RecordActions contract's signed actions (erasures, hiding, derivations, the author erasure window). */
export const recordActionsTypes = recordActionsTypedData.types;

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
/** A member's public profile (a patient's name never goes on chain); `title` and `department` may be empty. */
export interface SetMemberProfileMessage {
  member: Address;
  name: string;
  title: string;
  department: string;
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
/** A patient registers (or updates) a delegate: family 1, caregiver 2, researcher 3, with a category limit. */
export interface AddDelegateMessage {
  patient: Address;
  delegate: Address;
  kind: number;
  categoryLimit: number;
  encryptionKey: Hex;
  nonce: bigint;
  deadline: bigint;
}
/** A patient removes a delegate; the grants made to it stop applying. */
export interface RemoveDelegateMessage {
  patient: Address;
  delegate: Address;
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
 * The EIP-712 struct hash of a record leaf: what the author signs and `RecordAnchored` carries field by
 * field. The Records contract keeps its low 184 bits (`anchoredLeafHash`).
 */
export function recordLeafHash(leaf: RecordLeaf): Hex {
  return hashStruct({ data: { ...leaf }, primaryType: 'Record', types: recordsTypes });
}

const anchoredLeafMask = (1n << 184n) - 1n;

/**
 * What the Records contract keeps of a record's leaf, as `anchorOf(recordId).leaf` returns it: the low 184
 * bits of `recordLeafHash`, the high 72 zero (the rest of the anchor's storage slot holds its time and
 * patient). A copy of a record's fields is checked against the chain with one read.
 */
export function anchoredLeafHash(leaf: RecordLeaf): Hex {
  return `0x${(BigInt(recordLeafHash(leaf)) & anchoredLeafMask).toString(16).padStart(64, '0')}`;
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
/** A requester places an order whose request record is `orderId` (kind and status codes: vocabulary.ts). */
export interface PlaceOrderMessage {
  orderId: Hex;
  patient: Address;
  kind: number;
  performerOrganisation: number;
  quantity: number;
  fills: number;
  nonce: bigint;
  deadline: bigint;
}
/** The performer (accepted, in progress, rejected), the requester or the patient (cancelled) moves an order. */
export interface OrderStatusMessage {
  orderId: Hex;
  status: number;
  nonce: bigint;
  deadline: bigint;
}
/** The performer posts an order's result; `result` is the first result record's id. */
export interface CompleteOrderMessage {
  orderId: Hex;
  result: Hex;
  nonce: bigint;
  deadline: bigint;
}
/** A pharmacist dispenses `quantity` of a prescription with the MedicationDispense record `record`. */
export interface DispenseOrderMessage {
  orderId: Hex;
  quantity: number;
  record: Hex;
  nonce: bigint;
  deadline: bigint;
}

/**
 * `by` erases record `recordId` for `reason` (erasure reason codes: vocabulary.ts; 1 patient's request,
 * 2 entered in error). An erasure cannot happen twice, so its nonce is signed but not spent.
 */
export interface ErasureMessage {
  recordId: Hex;
  by: Address;
  reason: number;
  nonce: bigint;
  deadline: bigint;
}
/** The patient or an admin of the author's organisation hides a record until `retainUntil` (0: no end). */
export interface HideMessage {
  recordId: Hex;
  by: Address;
  retainUntil: bigint;
  nonce: bigint;
  deadline: bigint;
}
/** The patient shows a hidden record again. */
export interface UnhideMessage {
  recordId: Hex;
  by: Address;
  nonce: bigint;
  deadline: bigint;
}
/** `by` derives `newRecordId` from `sourceId`: kind 1 copy (for `toOrganisation`), 2 duplicate, 3 move. */
export interface DerivationMessage {
  kind: number;
  sourceId: Hex;
  newRecordId: Hex;
  by: Address;
  toOrganisation: number;
  nonce: bigint;
  deadline: bigint;
}
export interface ProposeAuthorErasureWindowMessage {
  windowSeconds: bigint;
  admin: Address;
  nonce: bigint;
  deadline: bigint;
}
export interface ApproveAuthorErasureWindowMessage {
  proposalId: bigint;
  approver: Address;
  nonce: bigint;
  deadline: bigint;
}

/** The message viem expects for `primaryType` of `types`, read from the generated type definitions. */
type MessageOf<Types extends TypedData, PrimaryType extends keyof Types & string> = TypedDataDefinition<
  Types,
  PrimaryType
>['message'];
/** `true` if `Message` and the generated message of `primaryType` are assignable to each other. */
type Matches<Message, Types extends TypedData, PrimaryType extends keyof Types & string> = [Message] extends [
  MessageOf<Types, PrimaryType>,
]
  ? [MessageOf<Types, PrimaryType>] extends [Message]
    ? true
    : false
  : false;
type Expect<Condition extends true> = Condition;

/** Fails to typecheck unless each message interface above has the fields of its contract type string. */
export type MessagesInStepWithContracts = [
  Expect<Matches<ProposeOrganisationMessage, typeof consortiumTypes, 'ProposeOrganisation'>>,
  Expect<Matches<ApproveOrganisationMessage, typeof consortiumTypes, 'ApproveOrganisation'>>,
  Expect<Matches<AddMemberMessage, typeof consortiumTypes, 'AddMember'>>,
  Expect<Matches<SuspendMemberMessage, typeof consortiumTypes, 'SuspendMember'>>,
  Expect<Matches<SetMemberProfileMessage, typeof consortiumTypes, 'SetMemberProfile'>>,
  Expect<Matches<RegisterPatientMessage, typeof consortiumTypes, 'RegisterPatient'>>,
  Expect<Matches<SetGatewayMessage, typeof consortiumTypes, 'SetGateway'>>,
  Expect<Matches<ProposeCustodyMessage, typeof consortiumTypes, 'ProposeCustody'>>,
  Expect<Matches<ApproveCustodyMessage, typeof consortiumTypes, 'ApproveCustody'>>,
  Expect<Matches<RotatePatientKeyMessage, typeof consortiumTypes, 'RotatePatientKey'>>,
  Expect<Matches<CommitKeyBackupMessage, typeof consortiumTypes, 'CommitKeyBackup'>>,
  Expect<Matches<GrantMessage, typeof consentsTypes, 'Grant'>>,
  Expect<Matches<RevokeMessage, typeof consentsTypes, 'Revoke'>>,
  Expect<Matches<RequestAccessMessage, typeof consentsTypes, 'RequestAccess'>>,
  Expect<Matches<DenyRequestMessage, typeof consentsTypes, 'DenyRequest'>>,
  Expect<Matches<SetHomeRelayOnlyMessage, typeof consentsTypes, 'SetHomeRelayOnly'>>,
  Expect<Matches<RecordLeaf, typeof recordsTypes, 'Record'>>,
  Expect<Matches<CoSignatureMessage, typeof coSignaturesTypes, 'CoSignature'>>,
  Expect<Matches<CoSignatureRequirement, typeof coSignaturesTypes, 'Requirement'>>,
  Expect<Matches<ProposePolicyMessage, typeof coSignaturesTypes, 'ProposePolicy'>>,
  Expect<Matches<ApprovePolicyMessage, typeof coSignaturesTypes, 'ApprovePolicy'>>,
  Expect<Matches<SetEmergencyPrivilegeMessage, typeof emergenciesTypes, 'SetEmergencyPrivilege'>>,
  Expect<Matches<DeclareEmergencyMessage, typeof emergenciesTypes, 'DeclareEmergency'>>,
  Expect<Matches<ReviewEmergencyMessage, typeof emergenciesTypes, 'ReviewEmergency'>>,
  Expect<Matches<ProposeEmergencyWindowMessage, typeof emergenciesTypes, 'ProposeEmergencyWindow'>>,
  Expect<Matches<ApproveEmergencyWindowMessage, typeof emergenciesTypes, 'ApproveEmergencyWindow'>>,
  Expect<Matches<PlaceOrderMessage, typeof ordersTypes, 'PlaceOrder'>>,
  Expect<Matches<OrderStatusMessage, typeof ordersTypes, 'OrderStatus'>>,
  Expect<Matches<CompleteOrderMessage, typeof ordersTypes, 'CompleteOrder'>>,
  Expect<Matches<DispenseOrderMessage, typeof ordersTypes, 'DispenseOrder'>>,
  Expect<Matches<AddDelegateMessage, typeof delegatesTypes, 'AddDelegate'>>,
  Expect<Matches<RemoveDelegateMessage, typeof delegatesTypes, 'RemoveDelegate'>>,
  Expect<Matches<ErasureMessage, typeof recordActionsTypes, 'Erasure'>>,
  Expect<Matches<HideMessage, typeof recordActionsTypes, 'Hide'>>,
  Expect<Matches<UnhideMessage, typeof recordActionsTypes, 'Unhide'>>,
  Expect<Matches<DerivationMessage, typeof recordActionsTypes, 'Derivation'>>,
  Expect<Matches<ProposeAuthorErasureWindowMessage, typeof recordActionsTypes, 'ProposeAuthorErasureWindow'>>,
  Expect<Matches<ApproveAuthorErasureWindowMessage, typeof recordActionsTypes, 'ApproveAuthorErasureWindow'>>,
];
