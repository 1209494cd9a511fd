/**
 * The gateway's HTTP API as a Fastify app. HTTP is only an adapter: routes validate input against
 * their schema, authenticate, and call the services; errors become HTTP responses here, once.
 */
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ErrorBody } from '@medledger/api';
import { httpStatusOf, MedledgerError, reasonOf } from '@medledger/core';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Session } from './auth.ts';
import type { GatewayServices } from './gatewayServices.ts';
import { type GatewayLogOptions, gatewayLoggerOptions } from './logging.ts';
import { auditRoutes, registerAuditProofRoutes } from './routes/auditRoutes.ts';
import { consentRoutes } from './routes/consentRoutes.ts';
import { consortiumRoutes } from './routes/consortiumRoutes.ts';
import { coSignatureRoutes } from './routes/coSignatureRoutes.ts';
import { emergencyRoutes } from './routes/emergencyRoutes.ts';
import { keyRecoveryRoutes } from './routes/keyRecoveryRoutes.ts';
import { keyRotationRoutes } from './routes/keyRotationRoutes.ts';
import { ledgerRecordRoutes } from './routes/ledgerRecordRoutes.ts';
import { notificationRoutes } from './routes/notificationRoutes.ts';
import { recordRoutes } from './routes/recordRoutes.ts';
import { rpcRoutes } from './routes/rpcRoutes.ts';
import { secondFactorRoutes } from './routes/secondFactorRoutes.ts';
import { systemRoutes } from './routes/systemRoutes.ts';
import { registerWebApp, type WebAppOptions } from './webApp.ts';

/**
 * Routes answered while the ledger is being recovered: they depend on nothing the chain says
 * (status, static chain facts, the gateway's own notifications, which tell admins of a rewind).
 */
const servedWhileRecovering = [
  /^\/api\/health(\?|$)/,
  /^\/api\/ledger(\?|$)/,
  /^\/api\/notifications(\/|\?|$)/,
];

export interface BuildAppOptions {
  services: GatewayServices;
  logLevel?: string;
  /** The logs' pseudonym key and destination (`logging.ts`); unset: a fresh key, standard error. */
  logging?: Omit<GatewayLogOptions, 'level'>;
  /** The web app to serve at `/`, if built. */
  webApp?: WebAppOptions;
  /**
   * Browser origins, besides the gateway's own, whose pages may call this API: the consortium's
   * other gateways, whose web apps gather key shares from every custodian gateway. Unset: none.
   */
  peerOrigins?: () => Promise<string[]>;
}

export async function buildApp({
  services,
  logLevel = 'info',
  logging,
  webApp,
  peerOrigins,
}: BuildAppOptions) {
  const app = Fastify({
    // Addresses and ids pseudonymised, headers redacted, to standard error or a rotated file: `logging.ts`.
    logger: gatewayLoggerOptions({ level: logLevel, ...logging }),
    bodyLimit: 32 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Errors the router raises before any route (a malformed URL, a too-long parameter) get the same body.
    frameworkErrors: replyWithError,
  }).withTypeProvider<JsonSchemaToTsProvider>();

  app.decorateRequest('session', null as unknown as Session);

  // Fail closed while the chain does not (yet) hold everything this gateway acknowledged.
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    if (servedWhileRecovering.some((pattern) => pattern.test(request.url))) return;
    services.guard.assertServing();
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const { status, body } = errorResponseOf(error);
    if (status >= 500 && !(error instanceof MedledgerError))
      request.log.error({ err: error }, 'request failed');
    else if (status >= 500)
      request.log.warn({ code: body.error.code, message: body.error.message }, 'request failed');
    return reply.status(status).send(body);
  });
  // Cross-origin calls come only from the consortium's gateways' pages, carry the session in the
  // Authorization header (never cookies), and are answered to those origins alone.
  await app.register(cors, {
    origin: (origin, callback) => {
      if (!origin || !peerOrigins) return callback(null, false);
      peerOrigins().then(
        (origins) => callback(null, origins.includes(origin)),
        () => callback(null, false),
      );
    },
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'last-event-id', 'x-medledger-peer'],
    credentials: false,
    maxAge: 600,
  });
  const webAppFallback = webApp ? await registerWebApp(app as unknown as FastifyInstance, webApp) : undefined;
  app.setNotFoundHandler(async (request, reply) => {
    if (webAppFallback && (await webAppFallback(request, reply))) return reply;
    return reply.status(404).send({
      error: { code: 'not_found', reason: 'no_route', message: `No route ${request.method} ${request.url}.` },
    });
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'medledger gateway API',
        version: '0.1.0',
        description:
          'One gateway per organisation. Clients encrypt and sign; the gateway relays signed actions to the ' +
          'ledger, stores ciphertext and releases data keys only to those the ledger authorises.',
      },
      components: {
        securitySchemes: {
          session: { type: 'http', scheme: 'bearer', description: 'token from POST /api/auth/session' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  for (const routes of [
    systemRoutes,
    ledgerRecordRoutes,
    consortiumRoutes,
    recordRoutes,
    consentRoutes,
    auditRoutes,
    registerAuditProofRoutes,
    coSignatureRoutes,
    secondFactorRoutes,
    keyRotationRoutes,
    keyRecoveryRoutes,
    emergencyRoutes,
    notificationRoutes,
    rpcRoutes,
  ]) {
    routes(app as unknown as FastifyInstance, services);
  }
  return app;
}

/** Answers a thrown value as the error response `errorResponseOf` maps it to. */
function replyWithError(error: unknown, _request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = errorResponseOf(error);
  reply.status(status).send(body);
}

export function errorResponseOf(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof MedledgerError) {
    const body: ErrorBody = {
      error: { code: error.code, reason: reasonOf(error), message: error.shortMessage },
    };
    if (error.details && error.code !== 'internal') body.error.details = error.details;
    if (error.fields) body.error.fields = error.fields;
    return { status: httpStatusOf(error), body };
  }
  const fastifyError = error as {
    validation?: unknown;
    statusCode?: number;
    message?: string;
    code?: string;
  };
  if (fastifyError.validation) {
    return {
      status: 400,
      body: {
        error: {
          code: 'invalid_input',
          reason: 'schema_violation',
          message: `Invalid request: ${fastifyError.message}.`,
        },
      },
    };
  }
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return {
      status: fastifyError.statusCode,
      body: {
        error: {
          code: 'invalid_input',
          reason: 'malformed_request',
          message: fastifyError.message ?? 'Invalid request.',
        },
      },
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal', reason: 'internal', message: 'Internal error.' } },
  };
}
