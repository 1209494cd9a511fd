/** HTTP adapter of the consortium's organisations and custody (members: `consortiumMemberRoutes.ts`). */
import {
  approvalBody,
  custodyApproved,
  custodyProposalResult,
  errorResponses,
  gatewayPublished,
  organisationApproved,
  organisationCreated,
  organisationList,
  organisationOnLedger,
  proposeCustodyBody,
  proposeOrganisationBody,
  publishGatewayBody,
  uint32IdParam,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import * as consortium from '../operations/consortium.ts';
import { consortiumMemberRoutes } from './consortiumMemberRoutes.ts';
import { consortiumVoteRoutes } from './consortiumVoteRoutes.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function consortiumRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['consortium'];

  app.post(
    '/api/organisations',
    {
      onRequest: session,
      schema: {
        summary: 'Propose an organisation (the first one founds the consortium), signed by its admin',
        tags,
        security,
        body: proposeOrganisationBody,
        response: { 201: organisationCreated, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await consortium.proposeOrganisation(services, request.session, request.body)),
  );

  app.post(
    '/api/organisations/:id/approvals',
    {
      onRequest: session,
      schema: {
        summary: 'Approve a pending organisation, signed by an admin of an active organisation',
        tags,
        security,
        params: uint32IdParam,
        body: approvalBody,
        response: { 200: organisationApproved, ...errorResponses },
      },
    },
    async (request) =>
      consortium.approveOrganisation(services, request.session, {
        ...request.body,
        organisationId: Number(request.params.id),
      }),
  );

  app.get(
    '/api/organisations',
    {
      schema: {
        summary: 'Organisations of the consortium',
        tags,
        response: { 200: organisationList, ...errorResponses },
      },
    },
    async () => consortium.listOrganisations(services),
  );

  app.get(
    '/api/organisations/:id',
    {
      schema: {
        summary: 'One organisation, as the ledger has it',
        tags,
        params: uint32IdParam,
        response: { 200: organisationOnLedger, ...errorResponses },
      },
    },
    async (request) => consortium.organisationOnLedger(services, Number(request.params.id)),
  );

  app.post(
    '/api/organisations/:id/gateway',
    {
      onRequest: session,
      schema: {
        summary: 'Publish the organisation’s gateway (URL and relayer account), signed by its admin',
        description:
          'Peers find each other through these; the relayer is the only account that may anchor the organisation’s audit batches.',
        tags,
        security,
        params: uint32IdParam,
        body: publishGatewayBody,
        response: { 200: gatewayPublished, ...errorResponses },
      },
    },
    async (request) =>
      consortium.publishGateway(services, request.session, {
        ...request.body,
        organisationId: Number(request.params.id),
      }),
  );

  app.post(
    '/api/custody/proposals',
    {
      onRequest: session,
      schema: {
        summary: 'Propose which organisations hold key shares and how many a read needs (k of n)',
        description:
          'Takes effect when two thirds of the active organisations approve; the proposer’s organisation counts.',
        tags,
        security,
        body: proposeCustodyBody,
        response: { 201: custodyProposalResult, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await consortium.proposeCustody(services, request.session, request.body)),
  );

  app.post(
    '/api/custody/proposals/:id/approvals',
    {
      onRequest: session,
      schema: {
        summary: 'Approve a custody proposal, as an admin of an active organisation',
        tags,
        security,
        params: uint32IdParam,
        body: approvalBody,
        response: { 200: custodyApproved, ...errorResponses },
      },
    },
    async (request) =>
      consortium.approveCustody(services, request.session, {
        ...request.body,
        proposalId: Number(request.params.id),
      }),
  );

  consortiumMemberRoutes(instance, services);
  consortiumVoteRoutes(instance, services);
}
