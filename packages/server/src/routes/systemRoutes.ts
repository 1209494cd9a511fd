import { address, errorResponse, errorResponses, ledgerInfo, object, signature } from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { requireSession, typedRoutes } from './routeHelpers.ts';

export function systemRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { ledger, auth, custodian, store, guard } = services;

  app.get(
    '/api/health',
    {
      schema: {
        summary: 'Liveness and chain status',
        tags: ['system'],
        response: {
          200: object({
            status: { type: 'string' },
            chainId: { type: 'integer' },
            blockNumber: { type: 'integer' },
            ledger: object({
              state: { type: 'string' },
              pendingActions: { type: 'integer' },
              checkpointBlock: { type: 'integer' },
            }),
          }),
          503: errorResponse,
        },
      },
    },
    // 200 only while the gateway serves: the chain answers and holds everything acknowledged.
    async () => {
      guard.assertServing();
      const blockNumber = Number(await ledger.blockNumber());
      await guard.assertIntact();
      const checkpoint = await guard.checkpoint();
      return {
        status: 'ok',
        chainId: ledger.chainId,
        blockNumber,
        ledger: {
          state: guard.state(),
          pendingActions: await guard.pendingActions(),
          checkpointBlock: checkpoint?.blockNumber ?? 0,
        },
      };
    },
  );

  app.get(
    '/api/ledger',
    {
      schema: {
        summary: 'What a client needs to sign actions: chain, contracts, and this gateway’s custodian key',
        tags: ['system'],
        response: {
          200: ledgerInfo,
          ...errorResponses,
        },
      },
    },
    async () => {
      const hosted = (await store.organisations()).filter(
        (organisation) => organisation.encryptionKey.toLowerCase() === custodian.publicKey.toLowerCase(),
      );
      const [custodians, threshold, version] = await ledger.read('consortium', 'custody', []);
      return {
        chainId: ledger.chainId,
        rpcUrl: services.readOnlyRpcUrl,
        contracts: ledger.addresses,
        relayer: ledger.relayerAddress,
        custody: { custodians: [...custodians], threshold, version: Number(version) },
        custodian: {
          encryptionKey: custodian.publicKey,
          organisationIds: hosted.map((organisation) => organisation.organisationId),
        },
      };
    },
  );

  app.post(
    '/api/auth/challenge',
    {
      schema: {
        summary: 'A single-use nonce for an EIP-4361 sign-in message',
        tags: ['auth'],
        response: {
          200: object({
            nonce: { type: 'string' },
            expiresAt: { type: 'integer' },
            chainId: { type: 'integer' },
          }),
        },
      },
    },
    async () => ({ ...(await auth.challenge()), chainId: ledger.chainId }),
  );

  app.post(
    '/api/auth/session',
    {
      schema: {
        summary: 'Exchange a signed EIP-4361 message for a short-lived session token',
        tags: ['auth'],
        body: object({ message: { type: 'string', maxLength: 4096 }, signature }, ['message', 'signature']),
        response: {
          200: object({ token: { type: 'string' }, address, expiresAt: { type: 'integer' } }),
          401: errorResponse,
        },
      },
    },
    async (request) => auth.signIn(request.body.message, request.body.signature as `0x${string}`),
  );

  app.delete(
    '/api/auth/session',
    { schema: { summary: 'Sign out', tags: ['auth'], security: [{ session: [] }] } },
    async (request, reply) => {
      await auth.signOut(request.headers.authorization);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/me',
    {
      preHandler: requireSession(auth),
      schema: {
        summary: 'Who the session belongs to on the ledger',
        tags: ['auth'],
        security: [{ session: [] }],
      },
    },
    async (request) => {
      const me = request.session.address;
      const [member, patient] = await Promise.all([
        ledger.read('consortium', 'member', [me]),
        ledger.read('consortium', 'patient', [me]),
      ]);
      return {
        address: me,
        member: member.organisationId ? { ...member } : null,
        patient: patient.registered ? { ...patient } : null,
      };
    },
  );
}
