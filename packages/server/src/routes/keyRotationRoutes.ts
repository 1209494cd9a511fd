/**
 * A patient's key rotation, relayed like every signed action, and the registered encryption key of
 * any member or patient (what a client seals to, e.g. a guardian's share of a key backup).
 */

import { address, bytes32, created, errorResponse, object, signature, signedFields } from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { Address, Hex } from 'viem';
import { registeredAccount } from '../accountKeys.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { requireSigner, signedArgs } from '../operations/signedActions.ts';
import { requireSession, typedRoutes } from './routeHelpers.ts';

const addressParams = object({ address }, ['address']);

export function keyRotationRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { ledger, auth, indexer } = services;
  const session = requireSession(auth);
  const security = [{ session: [] }];

  app.post(
    '/api/patients/:address/key-rotation',
    {
      preHandler: session,
      schema: {
        summary: 'Rotate a patient’s keys: signed by its current key and by the new one',
        description:
          'The patient keeps its address as its id; from the next block its new key signs for it and its new ' +
          'encryption key receives its data keys. The old key can neither sign in nor sign on chain again.',
        tags: ['keys'],
        security,
        params: addressParams,
        body: object(
          { newSigner: address, encryptionKey: bytes32, ...signedFields, newSignerSignature: signature },
          ['newSigner', 'encryptionKey', 'nonce', 'deadline', 'signature', 'newSignerSignature'],
        ),
        response: {
          200: created,
          400: errorResponse,
          403: errorResponse,
          409: errorResponse,
          503: errorResponse,
        },
      },
    },
    async (request) => {
      const patient = requireSigner(request.session, request.params.address, 'key rotation');
      const { body } = request;
      const sent = await ledger.write('consortium', 'rotatePatientKey', [
        patient,
        body.newSigner as Address,
        body.encryptionKey as Hex,
        ...signedArgs(body),
        body.newSignerSignature as Hex,
      ]);
      // Indexing the rotation ends the old key's sessions (here at once, at other gateways as they index it).
      await indexer.sync();
      return {
        patient: patient.toLowerCase(),
        signer: body.newSigner.toLowerCase(),
        encryptionKey: body.encryptionKey.toLowerCase(),
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      };
    },
  );

  app.get(
    '/api/accounts/:address/encryption-key',
    {
      preHandler: session,
      schema: {
        summary: 'The encryption key a member or a patient registered, as the ledger has it now',
        tags: ['keys'],
        security,
        params: addressParams,
        response: { 200: created, 404: errorResponse, 503: errorResponse },
      },
    },
    async (request) => ({ ...(await registeredAccount(ledger, request.params.address as Address)) }),
  );
}
