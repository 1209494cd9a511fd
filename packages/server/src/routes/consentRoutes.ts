/** HTTP adapter of the consents area: schemas from `@medledger/api`, logic in `operations/`. */
import {
  accessRequest,
  accessRequestDenied,
  accessRequested,
  accessRequestList,
  consentGranted,
  consentList,
  consentRevoked,
  denyAccessRequestBody,
  errorResponses,
  grantConsentBody,
  idParam,
  requestAccessBody,
  revokeConsentBody,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import {
  denyAccessRequest,
  getAccessRequest,
  listAccessRequests,
  requestAccess,
} from '../operations/accessRequests.ts';
import { grantConsent, listConsents, revokeConsent } from '../operations/consents.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function consentRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['consents'];

  app.post(
    '/api/consents',
    {
      onRequest: session,
      schema: {
        summary: 'Grant consent (or approve an access request when requestId is set), signed by the patient',
        description:
          'A patient who turned on a one-time code must send the current one (otp); it is checked before relaying.',
        tags,
        security,
        body: grantConsentBody,
        response: { 201: consentGranted, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await grantConsent(services, request.session, request.body)),
  );

  app.post(
    '/api/consents/:id/revocation',
    {
      onRequest: session,
      schema: {
        summary: 'Revoke a consent, signed by its patient; effective from the block that records it',
        tags,
        security,
        params: idParam,
        body: revokeConsentBody,
        response: { 200: consentRevoked, ...errorResponses },
      },
    },
    async (request) =>
      revokeConsent(services, request.session, { ...request.body, grantId: Number(request.params.id) }),
  );

  app.get(
    '/api/consents',
    {
      onRequest: session,
      schema: {
        summary: 'Consents given by the caller (a patient) or to the caller (a member or its organisation)',
        tags,
        security,
        response: { 200: consentList, ...errorResponses },
      },
    },
    async (request) => listConsents(services, request.session),
  );

  app.post(
    '/api/access-requests',
    {
      onRequest: session,
      schema: {
        summary: 'Ask a patient for access, signed by the requesting member (the reason stays off chain)',
        tags,
        security,
        body: requestAccessBody,
        response: { 201: accessRequested, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await requestAccess(services, request.session, request.body)),
  );

  app.get(
    '/api/access-requests',
    {
      onRequest: session,
      schema: {
        summary: 'Access requests to the caller (a patient) and by the caller',
        tags,
        security,
        response: { 200: accessRequestList, ...errorResponses },
      },
    },
    async (request) => listAccessRequests(services, request.session),
  );

  app.get(
    '/api/access-requests/:id',
    {
      onRequest: session,
      schema: {
        summary: 'One access request (to its patient and its requester only)',
        tags,
        security,
        params: idParam,
        response: { 200: accessRequest, ...errorResponses },
      },
    },
    async (request) => getAccessRequest(services, request.session, Number(request.params.id)),
  );

  app.post(
    '/api/access-requests/:id/denial',
    {
      onRequest: session,
      schema: {
        summary: 'Deny an access request, signed by the patient',
        tags,
        security,
        params: idParam,
        body: denyAccessRequestBody,
        response: { 200: accessRequestDenied, ...errorResponses },
      },
    },
    async (request) =>
      denyAccessRequest(services, request.session, {
        ...request.body,
        requestId: Number(request.params.id),
      }),
  );
}
