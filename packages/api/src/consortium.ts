/**
 * The consortium area: organisations (proposed, approved, their gateways), key custody proposals,
 * members (registered, suspended) and patients (registered, their public keys). Every change is a
 * signed action relayed to the chain.
 */
import type { ApiType } from './apiType.ts';
import {
  address,
  bytes32,
  nullable,
  object,
  organisationKind,
  role,
  signedFieldNames,
  signedFields,
  transactionResult,
  uint8,
  uint32,
} from './schemaParts.ts';

const transactionFieldNames = ['transactionHash', 'blockNumber'] as const;

/** An organisation's or a custody proposal's id in a path (a uint32). */
export const uint32IdParam = object({ id: { type: 'string', pattern: '^[0-9]{1,10}$' } }, ['id']);

const activeOrPending = { type: 'string', enum: ['active', 'pending'] } as const;

/** `POST /api/organisations`, signed by its admin; the first one founds the consortium. */
export const proposeOrganisationBody = object(
  {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    kind: uint8,
    admin: address,
    encryptionKey: bytes32,
    gatewayUrl: { type: 'string', maxLength: 500 },
    ...signedFields,
  },
  ['name', 'kind', 'admin', 'encryptionKey', 'gatewayUrl', ...signedFieldNames],
);
export type ProposeOrganisationBody = ApiType<typeof proposeOrganisationBody>;

/** After an approval: the votes the proposal has, and how many pass it (two thirds of the active organisations). */
export const votes = {
  approvals: {
    type: 'integer',
    minimum: 0,
    description: 'organisations that voted for it so far',
  },
  approvalsNeeded: {
    type: 'integer',
    minimum: 1,
    description: 'votes that pass it: two thirds of the active organisations',
  },
} as const;
export const voteFieldNames = ['approvals', 'approvalsNeeded'] as const;

const organisationCreatedFields = {
  organisationId: { type: 'integer' },
  status: activeOrPending,
  ...transactionResult,
} as const;

/** An organisation proposed: active at once when it founds the consortium, pending otherwise. */
export const organisationCreated = object(organisationCreatedFields, [
  'organisationId',
  'status',
  ...transactionFieldNames,
]);
export type OrganisationCreated = ApiType<typeof organisationCreated>;

/** An organisation approved: active once enough active organisations approved it, with the votes. */
export const organisationApproved = object({ ...organisationCreatedFields, ...votes }, [
  'organisationId',
  'status',
  ...transactionFieldNames,
  ...voteFieldNames,
]);
export type OrganisationApproved = ApiType<typeof organisationApproved>;

/** `POST /api/organisations/:id/approvals` (and `/api/custody/proposals/:id/approvals`). */
export const approvalBody = object({ approver: address, ...signedFields }, ['approver', ...signedFieldNames]);
export type ApprovalBody = ApiType<typeof approvalBody>;

/** An organisation as the gateway indexed it. */
export const organisation = object(
  {
    organisationId: { type: 'integer' },
    name: { type: 'string' },
    kind: organisationKind,
    status: activeOrPending,
    admin: address,
    encryptionKey: bytes32,
    gatewayUrl: { type: 'string' },
  },
  ['organisationId', 'name', 'kind', 'status', 'admin', 'encryptionKey', 'gatewayUrl'],
);
export type Organisation = ApiType<typeof organisation>;

export const organisationList = object({ organisations: { type: 'array', items: organisation } }, [
  'organisations',
]);
export type OrganisationList = ApiType<typeof organisationList>;

/** `GET /api/organisations/:id`: one organisation, as the ledger has it now. */
export const organisationOnLedger = object(
  {
    organisationId: { type: 'integer' },
    name: { type: 'string' },
    kind: organisationKind,
    status: activeOrPending,
    encryptionKey: bytes32,
    gatewayUrl: { type: 'string' },
    approvals: { type: 'integer' },
  },
  ['organisationId', 'name', 'kind', 'status', 'encryptionKey', 'gatewayUrl', 'approvals'],
);
export type OrganisationOnLedger = ApiType<typeof organisationOnLedger>;

/** `POST /api/organisations/:id/gateway`, signed by the organisation's admin. */
export const publishGatewayBody = object(
  { gatewayUrl: { type: 'string', maxLength: 500 }, relayer: address, admin: address, ...signedFields },
  ['gatewayUrl', 'relayer', 'admin', ...signedFieldNames],
);
export type PublishGatewayBody = ApiType<typeof publishGatewayBody>;

export const gatewayPublished = object({ organisationId: { type: 'integer' }, ...transactionResult }, [
  'organisationId',
  ...transactionFieldNames,
]);
export type GatewayPublished = ApiType<typeof gatewayPublished>;

/** `POST /api/custody/proposals`: which organisations hold key shares, and how many a read needs. */
export const proposeCustodyBody = object(
  {
    custodians: { type: 'array', items: uint32, minItems: 1, maxItems: 16 },
    threshold: uint8,
    admin: address,
    ...signedFields,
  },
  ['custodians', 'threshold', 'admin', ...signedFieldNames],
);
export type ProposeCustodyBody = ApiType<typeof proposeCustodyBody>;

const custodyProposalFields = {
  proposalId: { type: 'integer' },
  enacted: { type: 'boolean' },
  transactionHash: transactionResult.transactionHash,
} as const;

/** A custody proposal made: `enacted` at once when the proposer's vote alone is two thirds. */
export const custodyProposalResult = object(custodyProposalFields, [
  'proposalId',
  'enacted',
  'transactionHash',
]);
export type CustodyProposalResult = ApiType<typeof custodyProposalResult>;

/** A custody proposal approved: `enacted` once two thirds of the active organisations approved, with the votes. */
export const custodyApproved = object({ ...custodyProposalFields, ...votes }, [
  'proposalId',
  'enacted',
  'transactionHash',
  ...voteFieldNames,
]);
export type CustodyApproved = ApiType<typeof custodyApproved>;

/** A member of an organisation, as the gateway indexed it. */
export const member = object({ address, role, active: { type: 'boolean' }, encryptionKey: bytes32 }, [
  'address',
  'role',
  'active',
  'encryptionKey',
]);
export type Member = ApiType<typeof member>;

export const memberList = object({ members: { type: 'array', items: member } }, ['members']);
export type MemberList = ApiType<typeof memberList>;

/** A member's display name (1..80 bytes of UTF-8 on chain; the gateway checks the bytes). */
const displayName = { type: 'string', minLength: 1, maxLength: 80 } as const;
/** A member's title ("Dr"), at most 32 bytes; empty for none. */
const profileTitle = { type: 'string', maxLength: 32 } as const;
/** A member's department, at most 80 bytes; empty for none. */
const profileDepartment = { type: 'string', maxLength: 80 } as const;
/** The nonce, deadline and signature of the admin's `SetMemberProfile` sent with a registration. */
const signedProfile = object({ ...signedFields }, [...signedFieldNames]);

/**
 * `POST /api/members`, signed by an admin of the member's organisation. With `displayName` (and
 * optionally `title`, `department`) and `profileAction`, the admin's signed `SetMemberProfile` of the
 * same member, the gateway sets the member's public profile right after registering it.
 */
export const addMemberBody = object(
  {
    organisationId: uint32,
    member: address,
    role: uint8,
    encryptionKey: bytes32,
    admin: address,
    ...signedFields,
    displayName,
    title: profileTitle,
    department: profileDepartment,
    profileAction: signedProfile,
  },
  ['organisationId', 'member', 'role', 'encryptionKey', 'admin', ...signedFieldNames],
);
export type AddMemberBody = ApiType<typeof addMemberBody>;

/** A registration; `profileTransactionHash` when the gateway also set the member's profile, else null. */
export const memberAdded = object(
  {
    address,
    organisationId: { type: 'integer' },
    role,
    ...transactionResult,
    profileTransactionHash: nullable(bytes32),
  },
  ['address', 'organisationId', 'role', ...transactionFieldNames, 'profileTransactionHash'],
);
export type MemberAdded = ApiType<typeof memberAdded>;

/** `POST /api/members/:address/profile`: a member's public profile, signed by an admin of its organisation. */
export const setMemberProfileBody = object(
  { admin: address, displayName, title: profileTitle, department: profileDepartment, ...signedFields },
  ['admin', 'displayName', ...signedFieldNames],
);
export type SetMemberProfileBody = ApiType<typeof setMemberProfileBody>;

export const memberProfileSet = object(
  {
    address,
    displayName,
    title: profileTitle,
    department: profileDepartment,
    transactionHash: transactionResult.transactionHash,
  },
  ['address', 'displayName', 'title', 'department', 'transactionHash'],
);
export type MemberProfileSet = ApiType<typeof memberProfileSet>;

/** `POST /api/members/:address/suspension`, signed by an admin of the member's organisation. */
export const suspendMemberBody = object({ admin: address, ...signedFields }, ['admin', ...signedFieldNames]);
export type SuspendMemberBody = ApiType<typeof suspendMemberBody>;

export const memberSuspended = object(
  { address, active: { type: 'boolean', const: false }, transactionHash: transactionResult.transactionHash },
  ['address', 'active', 'transactionHash'],
);
export type MemberSuspended = ApiType<typeof memberSuspended>;

/** `POST /api/patients`, signed by the patient. */
export const registerPatientBody = object(
  { patient: address, encryptionKey: bytes32, organisationId: uint32, ...signedFields },
  ['patient', 'encryptionKey', 'organisationId', ...signedFieldNames],
);
export type RegisterPatientBody = ApiType<typeof registerPatientBody>;

export const patientRegistered = object(
  { address, organisationId: { type: 'integer' }, ...transactionResult },
  ['address', 'organisationId', ...transactionFieldNames],
);
export type PatientRegistered = ApiType<typeof patientRegistered>;

/** `GET /api/patients/:address`: the keys records of a patient are sealed to. */
export const patientKeys = object(
  {
    address,
    encryptionKey: bytes32,
    organisationId: { type: 'integer' },
    custodian: {
      anyOf: [
        object({ organisationId: { type: 'integer' }, encryptionKey: bytes32 }, [
          'organisationId',
          'encryptionKey',
        ]),
        { type: 'null' },
      ],
      description: 'the patient’s custodian organisation, null when it has none',
    },
  },
  ['address', 'encryptionKey', 'organisationId', 'custodian'],
);
export type PatientKeys = ApiType<typeof patientKeys>;
