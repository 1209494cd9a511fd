/** What the routes share of HTTP: the base URL, the query in order, headers in and out, the media type. */
import { type FhirResource, InvalidInputError } from '@medledger/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fhirReasons } from './outcome.ts';

export const fhirJson = 'application/fhir+json';

/** The server's base URL as the client reached it (…/fhir), unless configured. */
export function baseUrlOf(request: FastifyRequest, configured: string | undefined): string {
  if (configured) return configured.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}/fhir`;
}

/** The query string's parameters in the order given (repeated names kept apart). */
export function queryOf(request: FastifyRequest): [string, string][] {
  const question = request.url.indexOf('?');
  return question < 0 ? [] : [...new URLSearchParams(request.url.slice(question + 1))];
}

/** A header's value (the first, if repeated). */
export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The `Prefer` header's `handling` and `return`. */
export function preferOf(request: FastifyRequest): { strict: boolean; return: string | undefined } {
  const prefer = headerOf(request, 'prefer') ?? '';
  const value = (name: string) => new RegExp(`(?:^|[;,\\s])${name}=([\\w-]+)`).exec(prefer)?.[1];
  return { strict: value('handling') === 'strict', return: value('return') };
}

const jsonFormats = new Set(['json', fhirJson, 'application/json', 'application/json+fhir']);

/**
 * Refuses (406) a request for a format other than JSON: `_format`, or an `Accept` that names only
 * other types. JSON is the one format served.
 */
export function requireJsonFormat(request: FastifyRequest): void {
  const format = queryOf(request).find(([name]) => name === '_format')?.[1];
  const accept = headerOf(request, 'accept');
  const acceptsJson =
    !accept ||
    /(^|,)\s*(\*\/\*|application\/\*|application\/(fhir\+)?json|application\/json\+fhir)\s*(;|,|$)/i.test(
      accept,
    );
  if ((format !== undefined && !jsonFormats.has(format.split(';')[0]?.trim() ?? '')) || !acceptsJson) {
    throw new InvalidInputError('This server speaks FHIR JSON only (application/fhir+json).', {
      reason: fhirReasons.formatUnsupported,
    });
  }
}

/** The media type answered: `application/json` to a client that asked for it alone, else FHIR JSON. */
export function mediaTypeFor(request: FastifyRequest): string {
  const accept = headerOf(request, 'accept') ?? '';
  return /application\/json/i.test(accept) && !/fhir/i.test(accept) ? 'application/json' : fhirJson;
}

/** Sends a resource with its version headers (`ETag`, `Last-Modified`) when it has a version. */
export function sendResource(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  resource: FhirResource | object,
  headers: Record<string, string> = {},
): FastifyReply {
  const meta = (resource as FhirResource).meta as { versionId?: string; lastUpdated?: string } | undefined;
  if (meta?.versionId) reply.header('etag', `W/"${meta.versionId}"`);
  if (meta?.lastUpdated) reply.header('last-modified', new Date(meta.lastUpdated).toUTCString());
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply
    .status(status)
    .type(`${mediaTypeFor(request)}; charset=utf-8`)
    .send(JSON.stringify(resource));
}
