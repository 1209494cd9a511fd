/**
 * The gateway's HTTP API as a Fastify app. HTTP is only an adapter: routes validate input against
 * their schema, authenticate, and call the services; errors become HTTP responses here, once.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ErrorBody } from '@medledger/api';
import { httpStatusOf, MedledgerError, reasonOf } from '@medledger/core';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { Session } from './auth.ts';
import {
  type ConnectionLimits,
  capConnections,
  defaultConnectionLimits,
  serverTimeouts,
  shedLoad,
} from './connectionLimits.ts';
import type { GatewayServices } from './gatewayServices.ts';
import { type GatewayLogOptions, gatewayLoggerOptions } from './logging.ts';
import { installRateLimits, type RateLimits, rateLimitsWith } from './rateLimits.ts';
import { appointmentRoutes } from './routes/appointmentRoutes.ts';
import { auditRoutes, registerAuditProofRoutes } from './routes/auditRoutes.ts';
import { consentRoutes } from './routes/consentRoutes.ts';
import { consortiumRoutes } from './routes/consortiumRoutes.ts';
import { coSignatureRoutes } from './routes/coSignatureRoutes.ts';
import { delegateRoutes } from './routes/delegateRoutes.ts';
import { emergencyRoutes } from './routes/emergencyRoutes.ts';
import { keyRecoveryRoutes } from './routes/keyRecoveryRoutes.ts';
import { keyRotationRoutes } from './routes/keyRotationRoutes.ts';
import { ledgerRecordRoutes } from './routes/ledgerRecordRoutes.ts';
import { notificationRoutes } from './routes/notificationRoutes.ts';
import { orderRoutes } from './routes/orderRoutes.ts';
import { patientDirectoryRoutes } from './routes/patientDirectoryRoutes.ts';
import { recordDerivationRoutes } from './routes/recordDerivationRoutes.ts';
import { recordLifecycleRoutes } from './routes/recordLifecycleRoutes.ts';
import { recordRoutes } from './routes/recordRoutes.ts';
import { rpcRoutes } from './routes/rpcRoutes.ts';
import { secondFactorRoutes } from './routes/secondFactorRoutes.ts';
import { staffSecondFactorRoutes } from './routes/staffSecondFactorRoutes.ts';
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
  /** What a client may ask of the gateway: rates, connections, requests in flight. Unset: defaults. */
  rateLimits?: RateLimits;
  connectionLimits?: ConnectionLimits;
  /** Serve HTTPS with this certificate chain and key (PEM); HSTS is sent then. */
  tls?: { cert: Buffer; key: Buffer };
  /** Clients reach the gateway over HTTPS through a reverse proxy: HSTS is sent. */
  httpsBehindProxy?: boolean;
  /**
   * The reverse proxies whose `X-Forwarded-For` names the client (addresses or subnets, comma
   * separated, or `loopback`); unset: the connection's address is the client's.
   */
  trustProxy?: string;
}

/** Bodies taken by default: signed actions, sign-in messages, key backups (16 kB), co-signatures. */
export const defaultBodyLimitBytes = 256 * 1024;

export async function buildApp({
  services,
  logLevel = 'info',
  logging,
  webApp,
  peerOrigins,
  rateLimits = rateLimitsWith(),
  connectionLimits = defaultConnectionLimits,
  tls,
  httpsBehindProxy = false,
  trustProxy,
}: BuildAppOptions) {
  // Node checks these timeouts every `connectionsCheckingInterval`: often enough to hold to them.
  const serverOptions = { headersTimeout: serverTimeouts.headersMs, connectionsCheckingInterval: 1_000 };
  const app = Fastify({
    ...(tls ? { https: { cert: tls.cert, key: tls.key, ...serverOptions } } : { http: serverOptions }),
    ...(trustProxy ? { trustProxy } : {}),
    connectionTimeout: serverTimeouts.idleSocketMs,
    keepAliveTimeout: serverTimeouts.keepAliveMs,
    requestTimeout: serverTimeouts.requestMs,
    // Addresses and ids pseudonymised, headers redacted, to standard error or a rotated file: `logging.ts`.
    logger: gatewayLoggerOptions({ level: logLevel, ...logging }),
    // Large bodies only where a record is uploaded (its route says so), after its caller is known.
    bodyLimit: defaultBodyLimitBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Errors the router raises before any route (a malformed URL, a too-long parameter) get the same body.
    frameworkErrors: replyWithError,
  }).withTypeProvider<JsonSchemaToTsProvider>();

  capConnections(app.server, connectionLimits);

  // Security headers on every answer: API, docs, web app, errors, and the refusals of the hooks
  // below (so it comes first). API answers are data: nothing runs or loads from them. The web
  // app's documents and the docs set their own policy.
  // (`helmet`'s middleware, built once: `@fastify/helmet` builds it again for every request.)
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-site' },
    strictTransportSecurity:
      tls || httpsBehindProxy ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
  });

  app.decorateRequest('session', null as unknown as Session);
  shedLoad(app as unknown as FastifyInstance, connectionLimits.maxRequestsInFlight);

  // Fail closed while the chain does not (yet) hold everything this gateway acknowledged.
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    if (servedWhileRecovering.some((pattern) => pattern.test(request.url))) return;
    services.guard.assertServing();
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const { status, body } = errorResponseOf(error);
    const retryAfter = body.error.fields?.retryAfter;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
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
  await app.register(rateLimit, { global: false });
  const limits = installRateLimits(app as unknown as FastifyInstance, rateLimits, services.store);

  const webAppFallback = webApp ? await registerWebApp(app as unknown as FastifyInstance, webApp) : undefined;
  app.setNotFoundHandler(async (request, reply) => {
    if (/^\/fhir(\/|\?|$)/.test(request.url)) {
      // FHIR clients get FHIR, never the web app's HTML: the FHIR API is not here.
      return reply.status(404).type('application/fhir+json').send(fhirApiIsElsewhere);
    }
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
  // The docs page runs Swagger UI's scripts and styles from this origin; Swagger UI sets style
  // attributes, and shows schema images as data URLs. Nothing else, and never framed.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: () =>
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
      ].join('; '),
  });

  for (const routes of [
    systemRoutes,
    ledgerRecordRoutes,
    consortiumRoutes,
    recordRoutes,
    recordLifecycleRoutes,
    consentRoutes,
    auditRoutes,
    registerAuditProofRoutes,
    coSignatureRoutes,
    secondFactorRoutes,
    staffSecondFactorRoutes,
    keyRotationRoutes,
    keyRecoveryRoutes,
    emergencyRoutes,
    notificationRoutes,
    rpcRoutes,
    patientDirectoryRoutes,
    appointmentRoutes,
    orderRoutes,
    delegateRoutes,
    recordDerivationRoutes,
  ]) {
    routes(app as unknown as FastifyInstance, services, limits);
  }
  return app;
}

/**
 * What the gateway answers under `/fhir`: the FHIR API decrypts records, so it runs where the
 * user's key is (on the user's machine or the integration engine's), not in the gateway, which
 * never sees plaintext.
 */
const fhirApiIsElsewhere = {
  resourceType: 'OperationOutcome',
  issue: [
    {
      severity: 'error',
      code: 'not-found',
      diagnostics:
        'This gateway serves no FHIR API: it never holds decrypted records. The FHIR R4 API runs ' +
        "where the user's key is: start it with `medledger fhir serve --as KEYFILE --port N " +
        "--server <this gateway's URL>` and point FHIR clients at http://127.0.0.1:N/fhir.",
    },
  ],
} as const;

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
          reason: fastifyError.statusCode === 413 ? 'body_too_large' : 'malformed_request',
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
