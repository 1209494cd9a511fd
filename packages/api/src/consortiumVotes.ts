/**
 * `GET /api/consortium/votes`: what the consortium's organisation admins are voting on now, with the
 * votes each has and how many it needs (two thirds of the active organisations): organisations
 * waiting to join, custody proposals, emergency window proposals, author erasure window proposals,
 * co-signature policy proposals.
 * Public, like the chain it is read from.
 */
import type { ApiType } from './apiType.ts';
import { coSignaturePolicyProposal } from './coSignatures.ts';
import { object, uint32 } from './schemaParts.ts';

const votes = {
  approvals: { type: 'integer', description: 'organisations that voted for it so far' },
  needed: { type: 'integer', description: 'votes it needs to pass: two thirds of the active organisations' },
} as const;
const voteFieldNames = ['approvals', 'needed'] as const;

/** A proposed window (emergency or author erasure), with its votes. */
const windowProposal = object(
  {
    proposalId: { type: 'integer' },
    windowSeconds: { type: 'integer' },
    proposerOrganisationId: { type: 'integer' },
    ...votes,
  },
  ['proposalId', 'windowSeconds', 'proposerOrganisationId', ...voteFieldNames],
);

export const consortiumVotes = object(
  {
    activeOrganisations: { type: 'integer' },
    organisations: {
      type: 'array',
      items: object(
        {
          organisationId: { type: 'integer' },
          name: { type: 'string' },
          kind: { type: 'string' },
          ...votes,
        },
        ['organisationId', 'name', 'kind', ...voteFieldNames],
      ),
    },
    custody: {
      type: 'array',
      items: object(
        {
          proposalId: { type: 'integer' },
          custodians: { type: 'array', items: uint32 },
          threshold: { type: 'integer' },
          proposerOrganisationId: { type: 'integer' },
          ...votes,
        },
        ['proposalId', 'custodians', 'threshold', 'proposerOrganisationId', ...voteFieldNames],
      ),
    },
    emergencyWindow: {
      type: 'array',
      items: windowProposal,
    },
    authorErasureWindow: {
      type: 'array',
      items: windowProposal,
    },
    coSignaturePolicies: {
      type: 'array',
      description: 'pending co-signature policy proposals',
      items: object(
        {
          proposalId: { type: 'integer' },
          category: coSignaturePolicyProposal.properties.category,
          requirements: coSignaturePolicyProposal.properties.requirements,
          patient: { type: 'boolean', description: 'the patient must co-sign too' },
          proposerOrganisationId: { type: 'integer' },
          ...votes,
        },
        ['proposalId', 'category', 'requirements', 'patient', 'proposerOrganisationId', ...voteFieldNames],
      ),
    },
  },
  [
    'activeOrganisations',
    'organisations',
    'custody',
    'emergencyWindow',
    'authorErasureWindow',
    'coSignaturePolicies',
  ],
);
export type ConsortiumVotes = ApiType<typeof consortiumVotes>;
