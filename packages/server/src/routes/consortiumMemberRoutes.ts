/**
 * HTTP adapter of the consortium's members and patients (registered by a signed action, listed,
 * suspended, their public profiles; a patient's public keys) and of the directory lookup. Schemas from `@medledger/api`, logic in `operations/members.ts`.
 */
import {
  addMemberBody,
  addressParam,
  directoryLookup,
  directoryLookupBody,
  errorResponses,
  memberAdded,
  memberList,
  memberProfileSet,
  memberSuspended,
  patientKeys,
  patientRegistered,
  registerPatientBody,
  setMemberProfileBody,
  suspendMemberBody,
  uint32IdParam,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { lookUpDirectory } from '../operations/directory.ts';
import * as members from '../operations/members.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function consortiumMemberRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['consortium'];

  app.get(
    '/api/organisations/:id/members',
    {
      onRequest: session,
      schema: {
        summary: 'Members of an organisation (its members only)',
        tags,
        security,
        params: uint32IdParam,
        response: { 200: memberList, ...errorResponses },
      },
    },
    async (request) => members.listMembers(services, request.session, Number(request.params.id)),
  );

  app.post(
    '/api/members',
    {
      onRequest: session,
      schema: {
        summary: 'Register a member, signed by an admin of its organisation',
        tags,
        security,
        body: addMemberBody,
        response: { 201: memberAdded, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await members.addMember(services, request.session, request.body)),
  );

  app.post(
    '/api/members/:address/suspension',
    {
      onRequest: session,
      schema: {
        summary: 'Suspend a member, signed by an admin of its organisation',
        tags,
        security,
        params: addressParam,
        body: suspendMemberBody,
        response: { 200: memberSuspended, ...errorResponses },
      },
    },
    async (request) =>
      members.suspendMember(services, request.session, { ...request.body, member: request.params.address }),
  );

  app.post(
    '/api/members/:address/profile',
    {
      onRequest: session,
      schema: {
        summary:
          'Set a member’s public profile (display name, title, department), signed by an admin of its organisation',
        tags,
        security,
        params: addressParam,
        body: setMemberProfileBody,
        response: { 200: memberProfileSet, ...errorResponses },
      },
    },
    async (request) =>
      members.setMemberProfile(services, request.session, {
        ...request.body,
        member: request.params.address,
      }),
  );

  app.post(
    '/api/directory/lookup',
    {
      onRequest: session,
      schema: {
        summary: 'What addresses are (member, patient, delegate, gateway) and the label to show for each',
        tags,
        security,
        body: directoryLookupBody,
        response: { 200: directoryLookup, ...errorResponses },
      },
    },
    async (request) => lookUpDirectory(services, request.session, request.body),
  );

  app.post(
    '/api/patients',
    {
      onRequest: session,
      schema: {
        summary: 'Register a patient, signed by the patient',
        tags,
        security,
        body: registerPatientBody,
        response: { 201: patientRegistered, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await members.registerPatient(services, request.session, request.body)),
  );

  app.get(
    '/api/patients/:address',
    {
      onRequest: session,
      schema: {
        summary: 'A patient’s public keys: the patient’s own and its custodian organisation’s',
        tags,
        security,
        params: addressParam,
        response: { 200: patientKeys, ...errorResponses },
      },
    },
    async (request) => members.patientKeys(services, request.params.address),
  );
}
