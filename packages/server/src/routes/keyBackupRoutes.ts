/**
 * Key backups: a patient stores its backup split among guardians (and commits its hash on chain);
 * the patient and its guardians read it back. The work is done by `operations/keyBackups.ts`.
 */
import {
  errorResponses,
  keyBackupCreated,
  keyBackupParams,
  keyBackupView,
  storeKeyBackupBody,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { getKeyBackup, storeKeyBackup } from '../operations/keyBackups.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function keyBackupRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['keys'];

  app.post(
    '/api/key-backups',
    {
      onRequest: session,
      schema: {
        summary:
          'Store a key backup split among guardians and commit its hash on chain, signed by the patient',
        description:
          'The backup replaces the patient’s previous one. Its shares must be sealed to the registered keys of ' +
          'active members or registered patients, and it must hold the patient’s current keys.',
        tags,
        security,
        body: storeKeyBackupBody,
        response: { 201: keyBackupCreated, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await storeKeyBackup(services, request.session, request.body)),
  );

  app.get(
    '/api/key-backups/:patient',
    {
      onRequest: session,
      schema: {
        summary: 'A patient’s key backup, for the patient and its guardians, with the chain’s commitment',
        tags,
        security,
        params: keyBackupParams,
        response: { 200: keyBackupView, ...errorResponses },
      },
    },
    async (request) => getKeyBackup(services, request.session, request.params),
  );
}
