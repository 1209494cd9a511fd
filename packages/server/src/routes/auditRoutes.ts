/** The audit routes: HTTP adapters of `operations/audit.ts`. */
import {
  auditAnswer,
  auditBatchesQuery,
  auditBatchPage,
  auditQuery,
  auditTrailProofs,
  errorResponses,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { auditBatches, auditEvents, auditProofs } from '../operations/audit.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function auditRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);

  app.get(
    '/api/audit',
    {
      onRequest: requireSession(services.auth),
      schema: {
        summary:
          'Access decisions: a patient sees those on its records; an organisation admin those of its members',
        description:
          'Events carry who, when, which patient, record, category and action, and the outcome; never content. ' +
          'format=fhir answers a FHIR R4 Bundle of AuditEvent resources.',
        tags: ['audit'],
        security: [{ session: [] }],
        querystring: auditQuery,
        response: { 200: auditAnswer, ...errorResponses },
      },
    },
    async (request) => auditEvents(services, request.session, request.query),
  );
}

/**
 * What a patient needs to check its access history against the chain, offline from this gateway's
 * word (see `operations/audit.ts`): its events with tags and inclusion proofs, and every leaf of
 * every anchored batch.
 */
export function registerAuditProofRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);

  app.get(
    '/api/audit/proofs',
    {
      onRequest: requireSession(services.auth),
      schema: {
        summary:
          'The caller’s access history with leaf tags and Merkle inclusion proofs against the anchored audit batches',
        tags: ['audit'],
        security: [{ session: [] }],
        response: { 200: auditTrailProofs, ...errorResponses },
      },
    },
    async (request) => auditProofs(services, request.session),
  );

  app.get(
    '/api/audit/batches',
    {
      onRequest: requireSession(services.auth),
      schema: {
        summary:
          'Every leaf of this gateway’s anchored audit batches, from batch `from` on, a page at a time',
        description:
          'A leaf is a sequence number, an event hash and a keyed per-patient tag: no event content, and nothing ' +
          'that tells whom it concerns except to that patient. A page holds whole batches, at least one; ' +
          '`nextBatch` is the index to ask for next, or null after the last anchored batch.',
        tags: ['audit'],
        security: [{ session: [] }],
        querystring: auditBatchesQuery,
        response: { 200: auditBatchPage, ...errorResponses },
      },
    },
    async (request) => auditBatches(services, { from: Number(request.query.from ?? 0) }),
  );
}
