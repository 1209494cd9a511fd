/**
 * The emergencies area ("break the glass"): the emergency privilege, declarations, reviews, and the
 * consortium's emergency window.
 */
import {
  categories,
  emergencyReasons,
  emergencyVerdicts,
  maxEmergencyWindowSeconds,
  maxJustificationLength,
  minEmergencyWindowSeconds,
  sensitivities,
} from '@medledger/core';
import type { ApiType } from './apiType.ts';
import { voteFieldNames, votes } from './consortium.ts';
import { address, bytes32, object, signedFields } from './schemaParts.ts';

const signedFieldNames = ['nonce', 'deadline', 'signature'] as const;

/** `POST /api/members/:address/emergency-privilege` path. */
export const emergencyPrivilegeParams = object({ address }, ['address']);
export type EmergencyPrivilegeParams = ApiType<typeof emergencyPrivilegeParams>;

/** An organisation admin's signed `SetEmergencyPrivilege`. */
export const setEmergencyPrivilegeBody = object(
  { admin: address, privileged: { type: 'boolean' }, ...signedFields },
  ['admin', 'privileged', ...signedFieldNames],
);
export type SetEmergencyPrivilegeBody = ApiType<typeof setEmergencyPrivilegeBody>;

export const emergencyPrivilegeSet = object(
  {
    member: address,
    privileged: { type: 'boolean' },
    organisationId: { type: 'integer', description: 'the member’s organisation' },
    transactionHash: bytes32,
    blockNumber: { type: 'integer' },
  },
  ['member', 'privileged', 'organisationId', 'transactionHash', 'blockNumber'],
);
export type EmergencyPrivilegeSet = ApiType<typeof emergencyPrivilegeSet>;

/** A privileged member's signed `DeclareEmergency`, with the justification the chain keeps a salted hash of. */
export const declareEmergencyBody = object(
  {
    member: address,
    patient: address,
    reasonCode: { type: 'integer', minimum: 1, maximum: emergencyReasons.length },
    justification: { type: 'string', minLength: 1, maxLength: maxJustificationLength },
    justificationSalt: bytes32,
    justificationHash: bytes32,
    ...signedFields,
  },
  [
    'member',
    'patient',
    'reasonCode',
    'justification',
    'justificationSalt',
    'justificationHash',
    ...signedFieldNames,
  ],
);
export type DeclareEmergencyBody = ApiType<typeof declareEmergencyBody>;

/** An emergency as its member, its patient and its organisation's admins see it. */
export const emergency = object(
  {
    emergencyId: { type: 'integer' },
    member: address,
    patient: address,
    organisationId: { type: 'integer' },
    reason: { type: 'string', enum: [...emergencyReasons] },
    justification: {
      type: ['string', 'null'],
      description: 'shown to the member and its organisation’s admins, at the gateway that keeps it',
    },
    categories: {
      type: 'array',
      items: { type: 'string', enum: [...categories] },
      description: 'what it opens to its member, read only',
    },
    sensitivity: { type: 'string', enum: [...sensitivities] },
    declaredAt: { type: 'integer', description: 'unix seconds, chain time' },
    expiresAt: { type: 'integer', description: 'unix seconds, chain time' },
    status: { type: 'string', enum: ['open', 'ended'] },
    verdict: { type: 'string', enum: [...emergencyVerdicts] },
    reviewer: { anyOf: [address, { type: 'null' }], description: 'null until reviewed' },
    reviewedAt: { type: ['integer', 'null'] },
    blockNumber: { type: 'integer' },
    transactionHash: bytes32,
  },
  [
    'emergencyId',
    'member',
    'patient',
    'organisationId',
    'reason',
    'justification',
    'categories',
    'sensitivity',
    'declaredAt',
    'expiresAt',
    'status',
    'verdict',
    'reviewer',
    'reviewedAt',
    'blockNumber',
    'transactionHash',
  ],
);
export type Emergency = ApiType<typeof emergency>;

/** `GET /api/emergencies` query: all (default) or the unreviewed ones. */
export const emergencyListQuery = object({ status: { type: 'string', enum: ['all', 'unreviewed'] } });
export type EmergencyListQuery = ApiType<typeof emergencyListQuery>;

export const emergencyList = object({ emergencies: { type: 'array', items: emergency } }, ['emergencies']);
export type EmergencyList = ApiType<typeof emergencyList>;

/** An admin of the member's organisation's signed `ReviewEmergency`. */
export const reviewEmergencyBody = object(
  {
    reviewer: address,
    verdict: { type: 'integer', enum: [1, 2], description: '1 justified, 2 unjustified' },
    ...signedFields,
  },
  ['reviewer', 'verdict', ...signedFieldNames],
);
export type ReviewEmergencyBody = ApiType<typeof reviewEmergencyBody>;

/** `GET /api/emergency-window`: how long an emergency declared now stays open. */
export const emergencyWindow = object({ windowSeconds: { type: 'integer' }, version: { type: 'integer' } }, [
  'windowSeconds',
  'version',
]);
export type EmergencyWindow = ApiType<typeof emergencyWindow>;

/** An admin's signed `ProposeEmergencyWindow`. */
export const proposeEmergencyWindowBody = object(
  {
    windowSeconds: {
      type: 'integer',
      minimum: minEmergencyWindowSeconds,
      maximum: maxEmergencyWindowSeconds,
    },
    admin: address,
    ...signedFields,
  },
  ['windowSeconds', 'admin', ...signedFieldNames],
);
export type ProposeEmergencyWindowBody = ApiType<typeof proposeEmergencyWindowBody>;

/** An admin's signed `ApproveEmergencyWindow`. */
export const approveEmergencyWindowBody = object({ approver: address, ...signedFields }, [
  'approver',
  ...signedFieldNames,
]);
export type ApproveEmergencyWindowBody = ApiType<typeof approveEmergencyWindowBody>;

const emergencyWindowVoteFields = {
  proposalId: { type: 'integer' },
  enacted: { type: 'boolean', description: 'the window applies to emergencies declared from now on' },
  transactionHash: bytes32,
} as const;

/** A window proposal made: whether it is now in force. */
export const emergencyWindowVote = object(emergencyWindowVoteFields, [
  'proposalId',
  'enacted',
  'transactionHash',
]);
export type EmergencyWindowVote = ApiType<typeof emergencyWindowVote>;

/** A window proposal approved: whether it is now in force, with the votes. */
export const emergencyWindowApproved = object({ ...emergencyWindowVoteFields, ...votes }, [
  'proposalId',
  'enacted',
  'transactionHash',
  ...voteFieldNames,
]);
export type EmergencyWindowApproved = ApiType<typeof emergencyWindowApproved>;
