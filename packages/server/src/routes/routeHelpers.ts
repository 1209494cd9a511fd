/**
 * What every route module shares: the app typed by the routes' schemas, the session check, and
 * address comparison. Kept apart from `app.ts`, which wires the routes and so must not lend to them.
 */
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ApiTypeOptions } from '@medledger/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, Session } from '../auth.ts';

declare module 'fastify' {
  interface FastifyRequest {
    session: Session;
  }
}

/**
 * The app typed as `ApiType` types the API's schemas: addresses and hex strings as viem's `Address`
 * and `Hex`, so handlers hand validated input to operations as the contract's types.
 */
export function apiRoutes(app: FastifyInstance) {
  return app.withTypeProvider<
    JsonSchemaToTsProvider<{
      ValidatorSchemaOptions: ApiTypeOptions;
      SerializerSchemaOptions: ApiTypeOptions;
    }>
  >();
}

/**
 * An `onRequest` hook that admits only signed-in callers and puts their session on the request:
 * it runs before the body is read, so nobody unknown makes the gateway parse or keep a body (Node
 * discards the rest of a refused request's body as it arrives, and the caller gets its 401: a
 * client whose session ended mid-upload signs in again, rather than seeing its connection reset).
 */
export function requireSession(auth: AuthService) {
  return async (request: FastifyRequest) => {
    request.session = await auth.authenticate(request.headers.authorization);
  };
}

export function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
