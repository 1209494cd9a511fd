import { errorResponses } from '@medledger/api';
import { InvalidInputError, readOnlyRpcLimits } from '@medledger/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import type { InstalledRateLimits } from '../rateLimits.ts';
import { answerReadOnlyRpc, callCountOf, readOnlyRpcMethods } from '../readOnlyRpc.ts';
import { apiRoutes } from './routeHelpers.ts';

/** A JSON-RPC 2.0 call or answer, or a batch of them, documented loosely: each is checked (or passed) as it is. */
const jsonRpcMessage = {
  anyOf: [
    { type: 'object', additionalProperties: true },
    { type: 'array', items: { type: 'object', additionalProperties: true } },
  ],
} as const;

/** The largest body taken: a full batch of calls with their call data. */
const maxBodyBytes = 1024 * 1024;

export function rpcRoutes(
  instance: FastifyInstance,
  services: GatewayServices,
  limits: InstalledRateLimits,
): void {
  const app = apiRoutes(instance);
  const { ledger } = services;
  // Counted per call (limit `rpc`, per client address), so a batch costs what it holds.
  const budget = limits.byAddress('rpc');

  app.post(
    '/rpc',
    {
      bodyLimit: maxBodyBytes,
      onRequest: requireJsonBody,
      schema: {
        summary: 'Read the chain: a read-only JSON-RPC 2.0 endpoint (a call or a batch)',
        description:
          `Forwards chain reads to the ledger node: ${[...readOnlyRpcMethods].join(', ')}. Any other ` +
          'method is answered with JSON-RPC error -32601 (data.reason "method_not_allowed") and never ' +
          `reaches the node. Batches of at most ${readOnlyRpcLimits.maxBatchCalls} calls; eth_getLogs ` +
          `spans at most ${readOnlyRpcLimits.maxLogBlockRange} blocks (or names a blockHash); eth_call ` +
          'gas is capped. Content-Type must be application/json. Rate limited per client address ' +
          '(429 rate_limited, with Retry-After). Writes go through the signed-action routes.',
        tags: ['ledger'],
        body: jsonRpcMessage,
        response: { 200: jsonRpcMessage, ...errorResponses },
      },
    },
    async (request, reply) => {
      await budget(request, callCountOf(request.body));
      reply.header('cache-control', 'no-store');
      return answerReadOnlyRpc(ledger.forwardRpc, request.body);
    },
  );
}

/**
 * Only `application/json` is read: a browser sends `text/plain` (and form types) cross-origin
 * without asking first, so those must never be executed.
 */
async function requireJsonBody(request: FastifyRequest): Promise<void> {
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new InvalidInputError('The JSON-RPC endpoint takes Content-Type: application/json only.', {
      reason: 'unsupported_media_type',
    });
  }
}
