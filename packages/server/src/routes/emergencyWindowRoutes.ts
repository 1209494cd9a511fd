/**
 * The consortium's emergency window: how long an emergency declared now stays open, and its
 * proposals and approvals by organisation admins. The work is done by `operations/emergencies.ts`.
 */
import {
  approveEmergencyWindowBody,
  emergencyWindowApproved,
  emergencyWindow as emergencyWindowSchema,
  emergencyWindowVote,
  errorResponses,
  idParam,
  proposeEmergencyWindowBody,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import {
  approveEmergencyWindow,
  emergencyWindow,
  proposeEmergencyWindow,
} from '../operations/emergencies.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function emergencyWindowRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['emergencies'];

  app.get(
    '/api/emergency-window',
    {
      schema: {
        summary: 'How long an emergency declared now stays open (seconds), and the window’s version',
        tags,
        response: { 200: emergencyWindowSchema, ...errorResponses },
      },
    },
    async () => emergencyWindow(services),
  );

  app.post(
    '/api/emergency-window/proposals',
    {
      onRequest: session,
      schema: {
        summary: 'Propose the emergency window, as an admin of an active organisation',
        description:
          'Takes effect for emergencies declared once two thirds of the active organisations approve; the ' +
          'proposer’s organisation counts.',
        tags,
        security,
        body: proposeEmergencyWindowBody,
        response: { 201: emergencyWindowVote, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await proposeEmergencyWindow(services, request.session, request.body)),
  );

  app.post(
    '/api/emergency-window/proposals/:id/approvals',
    {
      onRequest: session,
      schema: {
        summary: 'Approve an emergency window proposal, as an admin of an active organisation',
        tags,
        security,
        params: idParam,
        body: approveEmergencyWindowBody,
        response: { 200: emergencyWindowApproved, ...errorResponses },
      },
    },
    async (request) =>
      approveEmergencyWindow(services, request.session, Number(request.params.id), request.body),
  );
}
