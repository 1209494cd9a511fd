/**
 * The consents area: a patient's grants of consent (and their revocation), and members' access
 * requests to patients (and their denial). Grants and requests are signed actions relayed to the chain.
 */
import type { ApiType } from './apiType.ts';
import {
  action,
  address,
  bytes32,
  category,
  nullable,
  object,
  oneTimeCode,
  sensitivity,
  signedFieldNames,
  signedFields,
  transactionResult,
  uint8,
  uint32,
  uint64,
  uint256,
} from './schemaParts.ts';

/** `POST /api/consents`: a grant (or the approval of an access request, when `requestId` is set). */
export const grantConsentBody = object(
  {
    patient: address,
    grantee: address,
    granteeOrganisation: uint32,
    categories: uint32,
    maxSensitivity: uint8,
    actions: uint8,
    purpose: bytes32,
    expiresAt: uint64,
    requestId: uint256,
    otp: oneTimeCode,
    ...signedFields,
  },
  [
    'patient',
    'grantee',
    'granteeOrganisation',
    'categories',
    'maxSensitivity',
    'actions',
    'purpose',
    'expiresAt',
    'requestId',
    ...signedFieldNames,
  ],
);
export type GrantConsentBody = ApiType<typeof grantConsentBody>;

export const consentGranted = object({ grantId: { type: 'integer' }, ...transactionResult }, [
  'grantId',
  'transactionHash',
  'blockNumber',
]);
export type ConsentGranted = ApiType<typeof consentGranted>;

/** An action on a grant or a request that only its patient signs: a revocation, a denial. */
const signedByPatientBody = object({ patient: address, ...signedFields }, ['patient', ...signedFieldNames]);

/** `POST /api/consents/:id/revocation`, signed by the grant's patient. */
export const revokeConsentBody = signedByPatientBody;
export type RevokeConsentBody = ApiType<typeof revokeConsentBody>;

export const consentRevoked = object(
  { grantId: { type: 'integer' }, revoked: { type: 'boolean', const: true }, ...transactionResult },
  ['grantId', 'revoked', 'transactionHash', 'blockNumber'],
);
export type ConsentRevoked = ApiType<typeof consentRevoked>;

/** A grant of consent as the gateway indexed it. */
export const consent = object(
  {
    grantId: { type: 'integer' },
    patient: address,
    grantee: { ...nullable(address), description: 'null for a grant to a whole organisation' },
    granteeOrganisation: { type: ['integer', 'null'], description: 'null for a grant to one member' },
    categories: { type: 'array', items: category },
    maxSensitivity: sensitivity,
    actions: { type: 'array', items: action },
    purpose: { type: 'string', description: 'purpose of use, e.g. TREAT' },
    expiresAt: { type: 'integer', description: 'unix seconds' },
    requestId: { type: ['integer', 'null'], description: 'the access request it approves, if any' },
    status: { type: 'string', enum: ['active', 'revoked', 'expired'] },
  },
  [
    'grantId',
    'patient',
    'grantee',
    'granteeOrganisation',
    'categories',
    'maxSensitivity',
    'actions',
    'purpose',
    'expiresAt',
    'requestId',
    'status',
  ],
);
export type Consent = ApiType<typeof consent>;

/** `GET /api/consents`: grants the caller gave (as a patient) and received (as a member or its organisation). */
export const consentList = object(
  { given: { type: 'array', items: consent }, received: { type: 'array', items: consent } },
  ['given', 'received'],
);
export type ConsentList = ApiType<typeof consentList>;

/** `POST /api/access-requests`, signed by the requesting member; the reason stays off chain. */
export const requestAccessBody = object(
  {
    requester: address,
    patient: address,
    categories: uint32,
    actions: uint8,
    reason: { type: 'string', maxLength: 1000 },
    reasonHash: { ...bytes32, description: 'keccak256 of the reason’s UTF-8 bytes' },
    ...signedFields,
  },
  ['requester', 'patient', 'categories', 'actions', 'reason', 'reasonHash', ...signedFieldNames],
);
export type RequestAccessBody = ApiType<typeof requestAccessBody>;

export const accessRequested = object({ requestId: { type: 'integer' }, ...transactionResult }, [
  'requestId',
  'transactionHash',
  'blockNumber',
]);
export type AccessRequested = ApiType<typeof accessRequested>;

/** An access request as the gateway indexed it, with its reason when this gateway holds it. */
export const accessRequest = object(
  {
    requestId: { type: 'integer' },
    patient: address,
    requester: address,
    categories: { type: 'array', items: category },
    actions: { type: 'array', items: action },
    reason: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['pending', 'approved', 'denied'] },
    grantId: { type: ['integer', 'null'], description: 'the grant that approved it' },
  },
  ['requestId', 'patient', 'requester', 'categories', 'actions', 'reason', 'status', 'grantId'],
);
export type AccessRequest = ApiType<typeof accessRequest>;

/** `GET /api/access-requests`: requests to the caller (a patient) and by the caller (a member). */
export const accessRequestList = object(
  { incoming: { type: 'array', items: accessRequest }, outgoing: { type: 'array', items: accessRequest } },
  ['incoming', 'outgoing'],
);
export type AccessRequestList = ApiType<typeof accessRequestList>;

/** `POST /api/access-requests/:id/denial`, signed by the request's patient. */
export const denyAccessRequestBody = signedByPatientBody;
export type DenyAccessRequestBody = ApiType<typeof denyAccessRequestBody>;

export const accessRequestDenied = object(
  {
    requestId: { type: 'integer' },
    status: { type: 'string', const: 'denied' },
    ...transactionResult,
  },
  ['requestId', 'status', 'transactionHash', 'blockNumber'],
);
export type AccessRequestDenied = ApiType<typeof accessRequestDenied>;
