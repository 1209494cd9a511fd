/**
 * Emergency access ("break the glass") routes: privileges, declarations and reviews; the
 * consortium's window is in `emergencyWindowRoutes.ts`, registered from here. The work is done by
 * `operations/emergencies.ts`; this module only declares the routes.
 */
import {
  declareEmergencyBody,
  emergency,
  emergencyList,
  emergencyListQuery,
  emergencyPrivilegeParams,
  emergencyPrivilegeSet,
  errorResponses,
  idParam,
  reviewEmergencyBody,
  setEmergencyPrivilegeBody,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import {
  declareEmergency,
  getEmergency,
  listEmergencies,
  reviewEmergency,
  setEmergencyPrivilege,
} from '../operations/emergencies.ts';
import { emergencyWindowRoutes } from './emergencyWindowRoutes.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function emergencyRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['emergencies'];

  app.post(
    '/api/members/:address/emergency-privilege',
    {
      onRequest: session,
      schema: {
        summary:
          'Give a member the emergency privilege, or take it away, signed by an admin of its organisation',
        tags,
        security,
        params: emergencyPrivilegeParams,
        body: setEmergencyPrivilegeBody,
        response: { 200: emergencyPrivilegeSet, ...errorResponses },
      },
    },
    async (request) => setEmergencyPrivilege(services, request.session, request.params.address, request.body),
  );

  app.post(
    '/api/emergencies',
    {
      onRequest: session,
      schema: {
        summary: 'Declare an emergency for a patient, signed by a member holding the emergency privilege',
        description:
          'Opens the patient’s emergency set (conditions, medications, allergies, emergency summaries; normal ' +
          'sensitivity; read only) to the member for the consortium’s window, and queues a review by an admin ' +
          'of the member’s organisation. The justification stays at this gateway: the chain keeps ' +
          'keccak256(salt ‖ UTF-8 text) only. Answers once the declaration is in a block.',
        tags,
        security,
        body: declareEmergencyBody,
        response: { 201: emergency, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await declareEmergency(services, request.session, request.body)),
  );

  app.get(
    '/api/emergencies',
    {
      onRequest: session,
      schema: {
        summary:
          'Emergencies the caller declared, on the caller’s record, and (for an organisation admin) of its members',
        description: 'Unreviewed ones first, then the newest first. status=unreviewed lists those only.',
        tags,
        security,
        querystring: emergencyListQuery,
        response: { 200: emergencyList, ...errorResponses },
      },
    },
    async (request) => listEmergencies(services, request.session, request.query),
  );

  app.get(
    '/api/emergencies/:id',
    {
      onRequest: session,
      schema: {
        summary: 'One emergency (to its member, its patient and its organisation’s admins)',
        tags,
        security,
        params: idParam,
        response: { 200: emergency, ...errorResponses },
      },
    },
    async (request) => getEmergency(services, request.session, Number(request.params.id)),
  );

  app.post(
    '/api/emergencies/:id/review',
    {
      onRequest: session,
      schema: {
        summary:
          'Judge an emergency justified or unjustified, signed by an admin of the member’s organisation',
        description: 'An unjustified verdict closes the emergency’s access at once.',
        tags,
        security,
        params: idParam,
        body: reviewEmergencyBody,
        response: { 200: emergency, ...errorResponses },
      },
    },
    async (request) => reviewEmergency(services, request.session, Number(request.params.id), request.body),
  );

  emergencyWindowRoutes(instance, services);
}
