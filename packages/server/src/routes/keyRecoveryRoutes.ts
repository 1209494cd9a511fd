/**
 * Key recovery: requests from a device that lost the key (no sign-in), guardians' approvals and the
 * shares fetched with the request's token; the backups themselves are in `keyBackupRoutes.ts`,
 * registered from here. The work is done by `operations/keyRecovery.ts`; this module only declares
 * the routes.
 */
import {
  approveKeyRecoveryBody,
  errorResponses,
  keyRecoveryApproved,
  keyRecoveryRequestForGuardian,
  keyRecoverySharesBody,
  keyRecoveryShares as keyRecoverySharesSchema,
  keyRecoveryStarted,
  pendingKeyRecoveries as pendingKeyRecoveriesSchema,
  recoveryRequestParams,
  startKeyRecoveryBody,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import {
  approveKeyRecovery,
  keyRecoveryRequest,
  keyRecoveryShares,
  pendingKeyRecoveries,
  startKeyRecovery,
} from '../operations/keyRecovery.ts';
import { keyBackupRoutes } from './keyBackupRoutes.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function keyRecoveryRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['keys'];

  app.post(
    '/api/key-recovery/requests',
    {
      schema: {
        summary: 'Ask the guardians of a patient’s key backup for their shares (no sign-in: the key is lost)',
        description:
          'The device chooses the request id and a recovery key, and keeps the token whose SHA-256 it sends. ' +
          'Guardians approve only if the verification code the patient tells them matches the request.',
        tags,
        body: startKeyRecoveryBody,
        response: { 201: keyRecoveryStarted, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await startKeyRecovery(services, request.body)),
  );

  app.get(
    '/api/key-recovery/requests',
    {
      onRequest: session,
      schema: {
        summary: 'Open recovery requests for the key backups the caller is a guardian of',
        tags,
        security,
        response: { 200: pendingKeyRecoveriesSchema, ...errorResponses },
      },
    },
    async (request) => pendingKeyRecoveries(services, request.session),
  );

  app.get(
    '/api/key-recovery/requests/:id',
    {
      onRequest: session,
      schema: {
        summary: 'A recovery request with the backup it is for, for the backup’s guardians',
        tags,
        security,
        params: recoveryRequestParams,
        response: { 200: keyRecoveryRequestForGuardian, ...errorResponses },
      },
    },
    async (request) => keyRecoveryRequest(services, request.session, request.params.id),
  );

  app.post(
    '/api/key-recovery/requests/:id/approvals',
    {
      onRequest: session,
      schema: {
        summary: 'Approve a recovery request: a guardian’s share, sealed to the request’s recovery key',
        tags,
        security,
        params: recoveryRequestParams,
        body: approveKeyRecoveryBody,
        response: { 201: keyRecoveryApproved, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await approveKeyRecovery(services, request.session, request.params.id, request.body)),
  );

  app.post(
    '/api/key-recovery/requests/:id/shares',
    {
      schema: {
        summary: 'The shares guardians sealed to a request’s recovery key, for the device holding its token',
        tags,
        params: recoveryRequestParams,
        body: keyRecoverySharesBody,
        response: { 200: keyRecoverySharesSchema, ...errorResponses },
      },
    },
    async (request) => keyRecoveryShares(services, request.params.id, request.body),
  );

  keyBackupRoutes(instance, services);
}
