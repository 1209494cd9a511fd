/** The record lifecycle routes: HTTP adapters of `operations/recordLifecycle.ts`. */
import {
  approveAuthorErasureWindowBody,
  authorErasureWindow as authorErasureWindowSchema,
  authorErasureWindowVote,
  eraseRecordsBody,
  errorResponses,
  hideRecordBody,
  idParam,
  proposeAuthorErasureWindowBody,
  recordIdParams,
  recordLifecycleChanged,
  recordsErased,
  unhideRecordBody,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { Hex } from 'viem';
import type { GatewayServices } from '../gatewayServices.ts';
import {
  approveAuthorErasureWindow,
  authorErasureWindow,
  eraseRecords,
  hideRecord,
  proposeAuthorErasureWindow,
  unhideRecord,
} from '../operations/recordLifecycle.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function recordLifecycleRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['records'];

  app.post(
    '/api/records/erase',
    {
      onRequest: session,
      schema: {
        summary: 'Erase records (crypto-shredding), with erasures the caller signed',
        description:
          'Reason 1 (the patient’s request): the patient, for its own records. Reason 2 (entered in error): an ' +
          'admin of the author’s organisation, within the consortium’s author erasure window (0 unless voted). ' +
          'Every gateway then destroys its copy of the encrypted content and refuses the keys (410, reason ' +
          'record_erased); the anchor and the events stay on chain. Cannot be undone. Audited per record.',
        tags,
        security,
        body: eraseRecordsBody,
        response: { 200: recordsErased, ...errorResponses },
      },
    },
    async (request) => eraseRecords(services, request.session, request.body),
  );

  app.get(
    '/api/records/erasure-window',
    {
      schema: {
        summary:
          'How long after anchoring an admin of the author’s organisation may erase a record entered in error',
        tags,
        response: { 200: authorErasureWindowSchema, ...errorResponses },
      },
    },
    async () => authorErasureWindow(services),
  );

  app.post(
    '/api/records/erasure-window/proposals',
    {
      onRequest: session,
      schema: {
        summary: 'Propose the author erasure window (0: none), as an admin of an active organisation',
        description:
          'Takes effect once two thirds of the active organisations approve; the proposer’s counts.',
        tags,
        security,
        body: proposeAuthorErasureWindowBody,
        response: { 201: authorErasureWindowVote, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await proposeAuthorErasureWindow(services, request.session, request.body)),
  );

  app.post(
    '/api/records/erasure-window/proposals/:id/approvals',
    {
      onRequest: session,
      schema: {
        summary: 'Approve an author erasure window proposal, as an admin of an active organisation',
        tags,
        security,
        params: idParam,
        body: approveAuthorErasureWindowBody,
        response: { 200: authorErasureWindowVote, ...errorResponses },
      },
    },
    async (request) =>
      approveAuthorErasureWindow(services, request.session, Number(request.params.id), request.body),
  );

  app.post(
    '/api/records/:id/hide',
    {
      onRequest: session,
      schema: {
        summary: 'Hide (soft-delete) a record, by its patient or an admin of its author’s organisation',
        description:
          'A hidden record is left out of lists (the patient sees it with includeHidden); its patient may show it ' +
          'again until retainUntil, after which any gateway erases it (reason retention ended).',
        tags,
        security,
        params: recordIdParams,
        body: hideRecordBody,
        response: { 200: recordLifecycleChanged, ...errorResponses },
      },
    },
    async (request) => hideRecord(services, request.session, request.params.id as Hex, request.body),
  );

  app.post(
    '/api/records/:id/unhide',
    {
      onRequest: session,
      schema: {
        summary: 'Show a hidden record again, by its patient, before its retention ended',
        tags,
        security,
        params: recordIdParams,
        body: unhideRecordBody,
        response: { 200: recordLifecycleChanged, ...errorResponses },
      },
    },
    async (request) => unhideRecord(services, request.session, request.params.id as Hex, request.body),
  );
}
