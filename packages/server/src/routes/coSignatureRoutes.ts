/**
 * Multi-signature stamps: co-signatures of records (relayed in batches, like records) and the
 * consortium's per-category co-signature policies (proposed and approved by organisation admins).
 */

import {
  address,
  bytes32,
  created,
  errorResponse,
  idParam,
  object,
  signature,
  signedFields,
  uint8,
} from '@medledger/api';
import {
  type CoSignatureRequirement,
  categories,
  InvalidInputError,
  NotFoundError,
  roleOfCode,
  roles,
} from '@medledger/core';
import type { FastifyInstance } from 'fastify';
import type { Address, Hex } from 'viem';
import type { GatewayServices } from '../gatewayServices.ts';
import { requireSigner, signedArgs } from '../operations/signedActions.ts';
import { leafOf } from '../stamps.ts';
import { requireSession, sameAddress, typedRoutes } from './routeHelpers.ts';

const requirementSchema = object(
  {
    role: { type: 'integer', minimum: 1, maximum: roles.length },
    count: { type: 'integer', minimum: 1, maximum: 16 },
    sameOrganisation: { type: 'boolean' },
  },
  ['role', 'count', 'sameOrganisation'],
);

export function coSignatureRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { ledger, auth, store, access, coSignatureAnchorer, stamps, indexer } = services;
  const session = requireSession(auth);
  const security = [{ session: [] }];

  app.post(
    '/api/records/:id/co-signatures',
    {
      preHandler: session,
      schema: {
        summary: 'Co-sign a record: the signer’s EIP-712 CoSignature of its id and anchored content digest',
        description:
          'The patient, or a member who may read the record now, co-signs once. Relayed in a batch; answers once ' +
          'the co-signature is in a block, saying whether the record is now final under its category’s policy.',
        tags: ['records'],
        security,
        params: object({ id: bytes32 }, ['id']),
        body: object({ signer: address, signature }, ['signer', 'signature']),
        response: {
          201: created,
          400: errorResponse,
          403: errorResponse,
          404: errorResponse,
          409: errorResponse,
          503: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const signer = requireSigner(request.session, request.body.signer, 'co-signature');
      const recordId = request.params.id.toLowerCase() as Hex;
      const row = await indexer.record(recordId);
      if (!row) throw new NotFoundError(`No record ${recordId}.`);
      const { grantId } = await access.authorise({
        actor: signer,
        patient: row.patient,
        category: row.category,
        sensitivity: row.sensitivity,
        action: 'read',
        recordId,
        purpose: 'COSIGN',
      });
      const receipt = await coSignatureAnchorer.coSign({
        leaf: leafOf(row),
        signer,
        grantId,
        signature: request.body.signature as Hex,
      });
      return reply.status(201).send({ recordId, signer: signer.toLowerCase(), ...receipt });
    },
  );

  app.get(
    '/api/records/:id/stamp',
    {
      preHandler: session,
      schema: {
        summary: 'A record’s stamp: final or draft under its category’s policy, and who signed it',
        description: 'For the patient and for those who may read the record.',
        tags: ['records'],
        security,
        params: object({ id: bytes32 }, ['id']),
        response: { 200: created, 404: errorResponse, 503: errorResponse },
      },
    },
    async (request) => {
      const me = request.session.address;
      const recordId = request.params.id.toLowerCase() as Hex;
      const row = await store.record(recordId);
      const visible =
        row &&
        (sameAddress(me, row.patient) ||
          (await access.allows({
            actor: me,
            patient: row.patient,
            category: row.category,
            sensitivity: row.sensitivity,
            action: 'read',
          })));
      if (!row || !visible) throw new NotFoundError(`No record ${recordId} that you may see.`);
      return { recordId, ...(await stamps.of(row)) };
    },
  );

  app.get(
    '/api/co-signature-policies',
    {
      schema: {
        summary: 'The co-signature policy in force for each record category (version 0: none)',
        tags: ['consortium'],
        response: { 200: created, 503: errorResponse },
      },
    },
    async () => ({
      policies: await Promise.all(
        categories.map(async (category, index) => {
          const [current, version] = await ledger.read('coSignatures', 'policy', [index]);
          return {
            category,
            version: Number(version),
            ...describePolicy(current.requirements, current.patient),
            enactedAt: version ? Number(current.enactedAt) : null,
          };
        }),
      ),
    }),
  );

  app.get(
    '/api/co-signature-policies/proposals',
    {
      schema: {
        summary: 'Proposed co-signature policies and their votes',
        tags: ['consortium'],
        response: { 200: created, 503: errorResponse },
      },
    },
    async () => {
      const count = Number(await ledger.read('coSignatures', 'policyProposalCount', []));
      const proposals = await Promise.all(
        Array.from({ length: count }, async (_, index) => {
          const proposalId = BigInt(index + 1);
          const proposal = await ledger.read('coSignatures', 'policyProposal', [proposalId]);
          const [, version] = await ledger.read('coSignatures', 'policy', [proposal.category]);
          return {
            proposalId: index + 1,
            category: categories[proposal.category] ?? String(proposal.category),
            ...describePolicy(proposal.requirements, proposal.patient),
            proposerOrganisationId: proposal.proposerOrganisationId,
            approvals: proposal.approvals,
            status: proposal.enacted ? 'enacted' : proposal.baseVersion === version ? 'pending' : 'overtaken',
          };
        }),
      );
      return { proposals };
    },
  );

  app.post(
    '/api/co-signature-policies/proposals',
    {
      preHandler: session,
      schema: {
        summary: 'Propose the co-signature policy of a record category, signed by an organisation admin',
        description:
          'Takes effect when two thirds of the active organisations approve (the proposer’s counts), for records ' +
          'anchored afterwards.',
        tags: ['consortium'],
        security,
        body: object(
          {
            category: uint8,
            requirements: { type: 'array', items: requirementSchema, maxItems: roles.length },
            patient: { type: 'boolean' },
            admin: address,
            ...signedFields,
          },
          ['category', 'requirements', 'patient', 'admin', 'nonce', 'deadline', 'signature'],
        ),
        response: { 201: created, 400: errorResponse, 403: errorResponse },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const admin = requireSigner(request.session, body.admin, 'policy proposal');
      if (body.category >= categories.length) {
        throw new InvalidInputError(`Unknown category ${body.category}: there are ${categories.length}.`);
      }
      const sent = await ledger.write('coSignatures', 'proposePolicy', [
        body.category,
        body.requirements,
        body.patient,
        admin,
        ...signedArgs(body),
      ]);
      const proposed = sent.events.find((event) => event.eventName === 'PolicyProposed');
      return reply.status(201).send({
        proposalId: proposed && 'proposalId' in proposed.args ? Number(proposed.args.proposalId) : null,
        enacted: sent.events.some((event) => event.eventName === 'PolicyChanged'),
        transactionHash: sent.hash,
      });
    },
  );

  app.post(
    '/api/co-signature-policies/proposals/:id/approvals',
    {
      preHandler: session,
      schema: {
        summary: 'Approve a co-signature policy proposal, as an admin of an active organisation',
        tags: ['consortium'],
        security,
        params: idParam,
        body: object({ approver: address, ...signedFields }, ['approver', 'nonce', 'deadline', 'signature']),
        response: {
          200: created,
          400: errorResponse,
          403: errorResponse,
          404: errorResponse,
          409: errorResponse,
        },
      },
    },
    async (request) => {
      const approver = requireSigner(request.session, request.body.approver, 'policy approval');
      const sent = await ledger.write('coSignatures', 'approvePolicy', [
        BigInt(request.params.id),
        approver as Address,
        ...signedArgs(request.body),
      ]);
      return {
        proposalId: Number(request.params.id),
        enacted: sent.events.some((event) => event.eventName === 'PolicyChanged'),
        transactionHash: sent.hash,
      };
    },
  );
}

function describePolicy(requirements: readonly CoSignatureRequirement[], patient: boolean) {
  return {
    requirements: requirements.map((requirement) => ({
      role: roleOfCode(requirement.role) ?? String(requirement.role),
      count: requirement.count,
      sameOrganisation: requirement.sameOrganisation,
    })),
    patient,
  };
}
