/**
 * The co-signatures area: co-signing a record, a record's stamp, and the consortium's per-category
 * co-signature policies with their proposals.
 */
import { roles } from '@medledger/core';
import type { ApiType } from './apiType.ts';
import { stampProperties, stampRequired } from './records.ts';
import {
  address,
  bytes32,
  category,
  nullable,
  object,
  signature,
  signedFields,
  uint8,
} from './schemaParts.ts';

/** `POST /api/records/:id/co-signatures`: the signer's EIP-712 CoSignature. */
export const coSignBody = object({ signer: address, signature }, ['signer', 'signature']);
export type CoSignBody = ApiType<typeof coSignBody>;

/** `POST /api/records/:id/co-signatures` (201): the co-signature, in a block. */
export const coSigned = object(
  {
    recordId: bytes32,
    signer: address,
    finalised: { type: 'boolean', description: 'whether the record is final once this co-signature counts' },
    blockNumber: { type: 'integer' },
    transactionHash: bytes32,
  },
  ['recordId', 'signer', 'finalised', 'blockNumber', 'transactionHash'],
);
export type CoSigned = ApiType<typeof coSigned>;

/** `GET /api/records/:id/stamp`. */
export const recordStamp = object({ recordId: bytes32, ...stampProperties }, ['recordId', ...stampRequired]);
export type RecordStamp = ApiType<typeof recordStamp>;

/** A co-signature requirement as a proposal takes it: a role code, how many, of which organisation. */
export const policyRequirementInput = object(
  {
    role: { type: 'integer', minimum: 1, maximum: roles.length },
    count: { type: 'integer', minimum: 1, maximum: 16 },
    sameOrganisation: { type: 'boolean' },
  },
  ['role', 'count', 'sameOrganisation'],
);

/** A co-signature requirement as the API describes it: a role name, how many, of which organisation. */
export const policyRequirement = object(
  {
    role: { type: 'string', description: 'a member role' },
    count: { type: 'integer' },
    sameOrganisation: {
      type: 'boolean',
      description: 'only signers of the record author’s organisation count',
    },
  },
  ['role', 'count', 'sameOrganisation'],
);

/** The policy in force for one category. */
export const coSignaturePolicy = object(
  {
    category,
    version: { type: 'integer', description: '0: no policy' },
    requirements: { type: 'array', items: policyRequirement },
    patient: { type: 'boolean', description: 'the patient must co-sign too' },
    enactedAt: { ...nullable({ type: 'integer' }), description: 'unix seconds; null without a policy' },
  },
  ['category', 'version', 'requirements', 'patient', 'enactedAt'],
);
export type CoSignaturePolicy = ApiType<typeof coSignaturePolicy>;

/** `GET /api/co-signature-policies`. */
export const coSignaturePolicies = object({ policies: { type: 'array', items: coSignaturePolicy } }, [
  'policies',
]);
export type CoSignaturePolicies = ApiType<typeof coSignaturePolicies>;

/** A proposed policy and its votes. */
export const coSignaturePolicyProposal = object(
  {
    proposalId: { type: 'integer' },
    category,
    requirements: { type: 'array', items: policyRequirement },
    patient: { type: 'boolean' },
    proposerOrganisationId: { type: 'integer' },
    approvals: { type: 'integer' },
    status: {
      type: 'string',
      enum: ['pending', 'enacted', 'overtaken'],
      description: '`overtaken`: another policy for the category was enacted since it was proposed',
    },
  },
  ['proposalId', 'category', 'requirements', 'patient', 'proposerOrganisationId', 'approvals', 'status'],
);
export type CoSignaturePolicyProposal = ApiType<typeof coSignaturePolicyProposal>;

/** `GET /api/co-signature-policies/proposals`. */
export const coSignaturePolicyProposals = object(
  { proposals: { type: 'array', items: coSignaturePolicyProposal } },
  ['proposals'],
);
export type CoSignaturePolicyProposals = ApiType<typeof coSignaturePolicyProposals>;

/** `POST /api/co-signature-policies/proposals`, signed by an organisation admin. */
export const proposePolicyBody = object(
  {
    category: uint8,
    requirements: { type: 'array', items: policyRequirementInput, maxItems: roles.length },
    patient: { type: 'boolean' },
    admin: address,
    ...signedFields,
  },
  ['category', 'requirements', 'patient', 'admin', 'nonce', 'deadline', 'signature'],
);
export type ProposePolicyBody = ApiType<typeof proposePolicyBody>;

/** `POST /api/co-signature-policies/proposals` (201). */
export const policyProposed = object(
  {
    proposalId: { type: 'integer' },
    enacted: { type: 'boolean', description: 'the proposal passed at once' },
    transactionHash: bytes32,
  },
  ['proposalId', 'enacted', 'transactionHash'],
);
export type PolicyProposed = ApiType<typeof policyProposed>;

/** `POST /api/co-signature-policies/proposals/:id/approvals`, signed by an organisation admin. */
export const approvePolicyBody = object({ approver: address, ...signedFields }, [
  'approver',
  'nonce',
  'deadline',
  'signature',
]);
export type ApprovePolicyBody = ApiType<typeof approvePolicyBody>;

/** `POST /api/co-signature-policies/proposals/:id/approvals`. */
export const policyApproved = object(
  {
    proposalId: { type: 'integer' },
    enacted: { type: 'boolean', description: 'the proposal passed with this approval' },
    transactionHash: bytes32,
  },
  ['proposalId', 'enacted', 'transactionHash'],
);
export type PolicyApproved = ApiType<typeof policyApproved>;
