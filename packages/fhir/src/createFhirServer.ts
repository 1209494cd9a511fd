/**
 * The FHIR R4 REST server as a Fastify app serving `/fhir`, acting as one user through the
 * gateway: it lists, reads (verifying and decrypting locally) and writes (encrypting locally)
 * records with the user's client. HTTP is only an adapter: errors become OperationOutcomes here,
 * once (`outcome.ts`), never HTML.
 */
import type { GatewayClient, Me } from '@medledger/client';
import { InvalidInputError, loadFhirDefinitions } from '@medledger/core';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { FhirContext } from './context.ts';
import { fhirJson } from './http.ts';
import { operationOutcome, outcomeOfError } from './outcome.ts';
import { createResourceCache, defaultCacheCharacters } from './resourceCache.ts';
import { fhirRoutes } from './routes.ts';

export interface FhirServerOptions {
  /** The gateway client acting as the user (it holds the user's keys). */
  client: GatewayClient;
  /** Purpose of use of every read, audited by the gateway (HL7 ActReason; default TREAT). */
  purpose?: string;
  /** Records read at once (default 8). */
  readConcurrency?: number;
  /**
   * How long a patient's listing is reused, in ms (default 5,000; 0: listed for every request).
   * Within it, a record the gateway stops showing (a consent revoked) may still be answered.
   */
  listingTtlMs?: number;
  /** Characters of decrypted JSON kept in memory (default 64 Mi). */
  cacheCharacters?: number;
  /** The base URL to write in links and locations (default: as each request reached the server). */
  baseUrl?: string;
  /** Largest request body, in bytes (default 32 MiB: transaction Bundles). */
  bodyLimit?: number;
  /** Fastify's logger (default: off; health data is never logged either way). */
  logger?: boolean;
}

/**
 * @example
 * const app = await createFhirServer({ client: createGatewayClient({ url, identity }) });
 * await app.listen({ host: '127.0.0.1', port: 8090 });
 */
export async function createFhirServer(options: FhirServerOptions): Promise<FastifyInstance> {
  const { client } = options;
  // The validator's R4 definitions, loaded before the first request needs them.
  await loadFhirDefinitions();
  let me: Promise<Me> | undefined;
  const context: FhirContext = {
    client,
    purpose: options.purpose ?? 'TREAT',
    readConcurrency: options.readConcurrency ?? 8,
    cache: createResourceCache(options.cacheCharacters ?? defaultCacheCharacters),
    listings: new Map(),
    listingTtlMs: options.listingTtlMs ?? 5_000,
    whoAmI() {
      me ??= client.me().catch((error: unknown) => {
        me = undefined;
        throw error;
      });
      return me;
    },
  };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 32 * 1024 * 1024,
    frameworkErrors: (error, request, reply) => sendError(error, request, reply),
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', fhirJson, 'application/json+fhir'],
    { parseAs: 'string' },
    (_request, text, done) => {
      if (text === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text as string));
      } catch (cause) {
        done(new InvalidInputError('The body is not valid JSON.', { cause }), undefined);
      }
    },
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, text, done) => done(null, new URLSearchParams(text as string)),
  );
  // Other media types reach the routes as text, which refuse them with an OperationOutcome.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => done(null, text));

  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .type(`${fhirJson}; charset=utf-8`)
      .send(
        operationOutcome([
          {
            severity: 'error',
            code: 'not-found',
            diagnostics: `Nothing at ${request.method} ${request.url.split('?')[0]}: the FHIR API is at /fhir (see /fhir/metadata).`,
          },
        ]),
      ),
  );
  fhirRoutes(app, context, options.baseUrl);
  return app;
}

/** Any error as an OperationOutcome (`outcome.ts`). */
function sendError(error: unknown, _request: FastifyRequest, reply: FastifyReply) {
  const { status, outcome } = outcomeOfError(error);
  return reply.status(status).type(`${fhirJson}; charset=utf-8`).send(outcome);
}
