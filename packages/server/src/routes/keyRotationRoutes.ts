/** HTTP adapter of the keys area: schemas from `@medledger/api`, logic in `operations/keyRotation.ts`. */
import { addressParam, errorResponses, keyRotated, registeredAccount, rotateKeyBody } from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { registeredEncryptionKey, rotatePatientKey } from '../operations/keyRotation.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function keyRotationRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];

  app.post(
    '/api/patients/:address/key-rotation',
    {
      onRequest: session,
      schema: {
        summary: 'Rotate a patient’s keys: signed by its current key and by the new one',
        description:
          'The patient keeps its address as its id; from the next block its new key signs for it and its new ' +
          'encryption key receives its data keys. The old key can neither sign in nor sign on chain again.',
        tags: ['keys'],
        security,
        params: addressParam,
        body: rotateKeyBody,
        response: { 200: keyRotated, ...errorResponses },
      },
    },
    async (request) =>
      rotatePatientKey(services, request.session, { ...request.body, patient: request.params.address }),
  );

  app.get(
    '/api/accounts/:address/encryption-key',
    {
      onRequest: session,
      schema: {
        summary: 'The encryption key a member or a patient registered, as the ledger has it now',
        tags: ['keys'],
        security,
        params: addressParam,
        response: { 200: registeredAccount, ...errorResponses },
      },
    },
    async (request) => registeredEncryptionKey(services, request.params.address),
  );
}
