/** The FHIR REST routes: thin adapters from HTTP to the operations of `operations/`. */
import { type FhirResource, InvalidInputError } from '@medledger/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Address } from 'viem';
import type { FhirContext } from './context.ts';
import { addressOfId, isResourceType } from './fhirIds.ts';
import { baseUrlOf, headerOf, preferOf, queryOf, requireJsonFormat, sendResource } from './http.ts';
import { capabilityStatement, requireServedType } from './operations/capabilities.ts';
import { create, type WriteResult } from './operations/create.ts';
import { everything } from './operations/everything.ts';
import { history } from './operations/history.ts';
import { isLedgerResourceType } from './operations/ledgerResources.ts';
import { read, vread } from './operations/read.ts';
import { search } from './operations/search.ts';
import { transaction } from './operations/transaction.ts';
import { update } from './operations/update.ts';
import { fhirReasons, operationOutcome } from './outcome.ts';

type Params = { type: string; id: string; versionId: string; operation: string; compartmentType: string };
type Request = FastifyRequest<{ Params: Partial<Params> }>;

function notImplemented(what: string): InvalidInputError {
  return new InvalidInputError(`${what} is not implemented by this server.`, {
    reason: fhirReasons.notImplemented,
  });
}

function neverDeleted(): InvalidInputError {
  return new InvalidInputError(
    'Records are never deleted: each is anchored on the ledger for good. Write a new version (PUT) instead, e.g. with status entered-in-error.',
    { reason: fhirReasons.methodNotAllowed },
  );
}

/** A type named in a URL: an R4 type this server serves (404 otherwise). */
function typeOf(request: Request): string {
  return typeNamed(request.params.type ?? '');
}

function typeNamed(type: string): string {
  if (!isResourceType(type)) {
    throw new InvalidInputError(`Unknown resource type "${type}".`, { reason: fhirReasons.unsupportedType });
  }
  requireServedType(type);
  return type;
}

/** A form body of `POST …/_search` as parameters. */
function formParameters(body: unknown): [string, string][] {
  if (body instanceof URLSearchParams) return [...body];
  if (body === undefined || body === null || body === '') return [];
  throw new InvalidInputError('POST _search takes application/x-www-form-urlencoded parameters.');
}

export function fhirRoutes(
  app: FastifyInstance,
  context: FhirContext,
  configuredBase: string | undefined,
): void {
  const base = (request: FastifyRequest) => baseUrlOf(request, configuredBase);
  app.addHook('onRequest', async (request) => requireJsonFormat(request));

  const sendWrite = (request: Request, reply: FastifyReply, result: WriteResult) => {
    const resource = result.resource;
    const meta = resource.meta as { versionId: string };
    const location = `${base(request)}/${resource.resourceType}/${resource.id}/_history/${meta.versionId}`;
    const status = result.created ? 201 : 200;
    const prefer = preferOf(request).return;
    const body =
      prefer === 'minimal'
        ? undefined
        : prefer === 'OperationOutcome'
          ? operationOutcome([
              {
                severity: 'information',
                code: 'informational',
                diagnostics: result.created ? 'Created.' : 'Updated.',
              },
            ])
          : resource;
    if (body === undefined) {
      reply.header('etag', `W/"${meta.versionId}"`).header('location', location);
      return reply.status(status).send();
    }
    return sendResource(request, reply, status, body, { location });
  };

  const searchRoute = async (
    request: Request,
    reply: FastifyReply,
    target: { type: string; compartment?: Address },
    parameters: [string, string][],
  ) => {
    const { type, compartment } = target;
    const bundle = await search(context, {
      type,
      parameters,
      ...(compartment ? { compartment } : {}),
      strict: preferOf(request).strict,
      base: base(request),
      path: compartment ? `Patient/${compartment}/${type}` : type,
    });
    return sendResource(request, reply, 200, bundle);
  };

  /** `Patient/0x…/Type`: the type searched in that patient's compartment. */
  const compartmentOf = (request: Request): { type: string; compartment: Address } => {
    if (request.params.type !== 'Patient') throw notImplemented(`The ${request.params.type} compartment`);
    const compartment = addressOfId(request.params.id ?? '');
    if (!compartment) {
      throw new InvalidInputError(
        `Invalid patient "${request.params.id}": expected an address (0x and 40 hex digits).`,
      );
    }
    return { type: typeNamed(request.params.compartmentType ?? ''), compartment };
  };

  app.get('/fhir/metadata', async (request, reply) =>
    sendResource(request, reply, 200, capabilityStatement(base(request))),
  );

  app.post('/fhir', async (request, reply) =>
    sendResource(request, reply, 200, await transaction(context, request.body, base(request))),
  );
  app.post('/fhir/', async (request, reply) =>
    sendResource(request, reply, 200, await transaction(context, request.body, base(request))),
  );
  app.get('/fhir', async () => {
    throw notImplemented('Search across all types');
  });

  app.get('/fhir/:type', async (request: Request, reply) =>
    searchRoute(request, reply, { type: typeOf(request) }, queryOf(request)),
  );
  app.post('/fhir/:type/_search', async (request: Request, reply) =>
    searchRoute(request, reply, { type: typeOf(request) }, [
      ...queryOf(request),
      ...formParameters(request.body),
    ]),
  );
  app.post('/fhir/:type', async (request: Request, reply) => {
    const type = typeOf(request);
    const result = await create(context, {
      type,
      body: request.body,
      ifNoneExist: headerOf(request, 'if-none-exist'),
    });
    return sendWrite(request, reply, result);
  });
  app.put('/fhir/:type', async (request: Request) => {
    typeOf(request);
    throw notImplemented('Conditional update');
  });
  app.delete('/fhir/:type', async () => {
    throw neverDeleted();
  });

  app.get('/fhir/:type/:id', async (request: Request, reply) => {
    const type = typeOf(request);
    const id = request.params.id ?? '';
    if (id === '_history') throw notImplemented('History of a whole type');
    if (id.startsWith('$')) throw notImplemented(`The operation ${id}`);
    return sendResource(request, reply, 200, await read(context, { type, id }));
  });
  app.put('/fhir/:type/:id', async (request: Request, reply) => {
    const type = typeOf(request);
    const result = await update(context, {
      type,
      id: request.params.id ?? '',
      body: request.body,
      ifMatch: headerOf(request, 'if-match'),
    });
    return sendWrite(request, reply, result);
  });
  app.delete('/fhir/:type/:id', async (request: Request) => {
    typeOf(request);
    throw neverDeleted();
  });
  app.patch('/fhir/:type/:id', async (request: Request) => {
    typeOf(request);
    throw notImplemented('PATCH');
  });

  /** Ledger resources have no versions of their own. */
  const versionedTypeOf = (request: Request) => {
    const type = typeOf(request);
    if (isLedgerResourceType(type)) throw notImplemented(`History of ${type} resources`);
    return type;
  };
  app.get('/fhir/:type/:id/_history', async (request: Request, reply) =>
    sendResource(
      request,
      reply,
      200,
      await history(context, { type: versionedTypeOf(request), id: request.params.id ?? '' }, base(request)),
    ),
  );
  app.get('/fhir/:type/:id/_history/:versionId', async (request: Request, reply) =>
    sendResource(
      request,
      reply,
      200,
      await vread(context, {
        type: versionedTypeOf(request),
        id: request.params.id ?? '',
        versionId: request.params.versionId ?? '',
      }),
    ),
  );

  const operationOrCompartment = async (
    request: Request,
    reply: FastifyReply,
    parameters: [string, string][],
  ) => {
    const type = typeOf(request);
    const operation = request.params.compartmentType ?? '';
    if (operation === '$everything' && type === 'Patient') {
      const id = request.params.id ?? '';
      const bundle = await everything(context, {
        id,
        parameters,
        base: base(request),
        path: `Patient/${id}/$everything`,
      });
      return sendResource(request, reply, 200, bundle);
    }
    if (operation.startsWith('$')) throw notImplemented(`The operation ${operation} on ${type}`);
    if (request.method !== 'GET') throw notImplemented(`POST to ${type}/${request.params.id}/${operation}`);
    return searchRoute(request, reply, compartmentOf(request), parameters);
  };
  app.get('/fhir/:type/:id/:compartmentType', async (request: Request, reply) =>
    operationOrCompartment(request, reply, queryOf(request)),
  );
  app.post('/fhir/:type/:id/:compartmentType', async (request: Request, reply) =>
    operationOrCompartment(request, reply, [...queryOf(request), ...parametersResource(request.body)]),
  );
  app.post('/fhir/:type/:id/:compartmentType/_search', async (request: Request, reply) =>
    searchRoute(request, reply, compartmentOf(request), [
      ...queryOf(request),
      ...formParameters(request.body),
    ]),
  );
}

/** The `valueString`/`valueInteger`/… of a Parameters resource posted to an operation, as parameters. */
function parametersResource(body: unknown): [string, string][] {
  if (body === undefined || body === null || body === '') return [];
  const resource = body as FhirResource;
  if (resource.resourceType !== 'Parameters') {
    throw new InvalidInputError('An operation takes a Parameters resource, or no body.');
  }
  const parameters = Array.isArray(resource.parameter)
    ? (resource.parameter as unknown as Record<string, unknown>[])
    : [];
  return parameters.flatMap((parameter) => {
    const value = Object.entries(parameter).find(([key]) => key.startsWith('value'))?.[1];
    return typeof parameter.name === 'string' && (typeof value === 'string' || typeof value === 'number')
      ? [[parameter.name, String(value)] as [string, string]]
      : [];
  });
}
