/** HTTP adapter of the system area: schemas from `@medledger/api`, logic in `operations/system.ts`. */
import {
  errorResponses,
  health,
  ledgerInfo,
  me,
  sessionsEnded,
  signedIn,
  signInBody,
  signInChallenge,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import * as system from '../operations/system.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function systemRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);

  app.get(
    '/api/health',
    {
      schema: {
        summary: 'Liveness and chain status',
        description:
          '200 only while the gateway serves: the chain answers and holds everything acknowledged.',
        tags: ['system'],
        response: { 200: health, ...errorResponses },
      },
    },
    async () => system.health(services),
  );

  app.get(
    '/api/ledger',
    {
      schema: {
        summary: 'What a client needs to sign actions: chain, contracts, and this gateway’s custodian key',
        tags: ['system'],
        response: { 200: ledgerInfo, ...errorResponses },
      },
    },
    async () => system.ledgerInfo(services),
  );

  app.post(
    '/api/auth/challenge',
    {
      schema: {
        summary: 'A single-use nonce for an EIP-4361 sign-in message',
        tags: ['auth'],
        response: { 200: signInChallenge, ...errorResponses },
      },
    },
    async () => system.signInChallenge(services),
  );

  app.post(
    '/api/auth/session',
    {
      schema: {
        summary: 'Exchange a signed EIP-4361 message for a short-lived session token',
        tags: ['auth'],
        body: signInBody,
        response: { 200: signedIn, ...errorResponses },
      },
    },
    async (request) => system.signIn(services, request.body),
  );

  app.delete(
    '/api/auth/session',
    {
      schema: {
        summary: 'Sign out',
        tags: ['auth'],
        security: [{ session: [] }],
        response: {
          204: { type: 'null', description: 'signed out (or no session to end)' },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      await system.signOut(services, request.headers.authorization);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/auth/sessions',
    {
      preHandler: requireSession(services.auth),
      schema: {
        summary: 'Sign out everywhere',
        description:
          'Ends every session of the signed-in account at this gateway, the one making the request ' +
          'included: on every device and in every process sharing the gateway’s database. Each ' +
          'ended session is then answered 401 (reason `session_unknown`) and must sign in again. ' +
          'Other accounts’ sessions are untouched. For a lost or shared device, or after a key leaked.',
        tags: ['auth'],
        security: [{ session: [] }],
        response: { 200: sessionsEnded, ...errorResponses },
      },
    },
    async (request) => system.signOutEverywhere(services, request.session),
  );

  app.get(
    '/api/me',
    {
      onRequest: requireSession(services.auth),
      schema: {
        summary: 'Who the session belongs to on the ledger',
        tags: ['auth'],
        security: [{ session: [] }],
        response: { 200: me, ...errorResponses },
      },
    },
    async (request) => system.whoAmI(services, request.session),
  );
}
