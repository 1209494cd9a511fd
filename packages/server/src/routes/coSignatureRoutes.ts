/** The co-signature routes: HTTP adapters of `operations/coSignatures.ts`. */
import {
  approvePolicyBody,
  coSignaturePolicies,
  coSignaturePolicyProposals,
  coSignBody,
  coSigned,
  errorResponses,
  idParam,
  policyApproved,
  policyProposed,
  proposePolicyBody,
  recordIdParams,
  recordStamp,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import * as operations from '../operations/coSignatures.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function coSignatureRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];

  app.post(
    '/api/records/:id/co-signatures',
    {
      onRequest: session,
      schema: {
        summary: 'Co-sign a record: the signer’s EIP-712 CoSignature of its id and anchored content digest',
        description:
          'The patient, or a member who may read the record now, co-signs once. Relayed in a batch; answers once ' +
          'the co-signature is in a block, saying whether the record is now final under its category’s policy.',
        tags: ['records'],
        security,
        params: recordIdParams,
        body: coSignBody,
        response: { 201: coSigned, ...errorResponses },
      },
    },
    async (request, reply) => {
      const input = { recordId: request.params.id, ...request.body };
      return reply.status(201).send(await operations.coSignRecord(services, request.session, input));
    },
  );

  app.get(
    '/api/records/:id/stamp',
    {
      onRequest: session,
      schema: {
        summary: 'A record’s stamp: final or draft under its category’s policy, and who signed it',
        description: 'For the patient and for those who may read the record.',
        tags: ['records'],
        security,
        params: recordIdParams,
        response: { 200: recordStamp, ...errorResponses },
      },
    },
    async (request) => operations.recordStamp(services, request.session, { recordId: request.params.id }),
  );

  app.get(
    '/api/co-signature-policies',
    {
      schema: {
        summary: 'The co-signature policy in force for each record category (version 0: none)',
        tags: ['consortium'],
        response: { 200: coSignaturePolicies, ...errorResponses },
      },
    },
    async () => operations.coSignaturePolicies(services),
  );

  app.get(
    '/api/co-signature-policies/proposals',
    {
      schema: {
        summary: 'Proposed co-signature policies and their votes',
        tags: ['consortium'],
        response: { 200: coSignaturePolicyProposals, ...errorResponses },
      },
    },
    async () => operations.coSignaturePolicyProposals(services),
  );

  app.post(
    '/api/co-signature-policies/proposals',
    {
      onRequest: session,
      schema: {
        summary: 'Propose the co-signature policy of a record category, signed by an organisation admin',
        description:
          'Takes effect when two thirds of the active organisations approve (the proposer’s counts), for records ' +
          'anchored afterwards.',
        tags: ['consortium'],
        security,
        body: proposePolicyBody,
        response: { 201: policyProposed, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await operations.proposeCoSignaturePolicy(services, request.session, request.body)),
  );

  app.post(
    '/api/co-signature-policies/proposals/:id/approvals',
    {
      onRequest: session,
      schema: {
        summary: 'Approve a co-signature policy proposal, as an admin of an active organisation',
        tags: ['consortium'],
        security,
        params: idParam,
        body: approvePolicyBody,
        response: { 200: policyApproved, ...errorResponses },
      },
    },
    async (request) =>
      operations.approveCoSignaturePolicy(services, request.session, {
        proposalId: Number(request.params.id),
        ...request.body,
      }),
  );
}
