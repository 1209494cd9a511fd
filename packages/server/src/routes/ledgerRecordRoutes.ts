/** The ledger-records route: the HTTP adapter of `operations/ledgerRecords.ts`. */
import {
  errorResponses,
  indexedRecordAnchorPage,
  ledgerRecordsPageSize,
  ledgerRecordsQuery,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { indexedRecordAnchors } from '../operations/ledgerRecords.ts';
import { apiRoutes } from './routeHelpers.ts';

export function ledgerRecordRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);

  app.get(
    '/api/ledger/records',
    {
      schema: {
        summary: 'The record anchors this gateway has indexed, by record id, a page at a time',
        description:
          'For checking this gateway’s index against the chain (`medledger verify`). Each entry holds the fields ' +
          'of the record’s RecordAnchored event as this gateway indexed them, with codes for category and ' +
          `sensitivity; no health data. Pages of up to ${ledgerRecordsPageSize.max} (default ` +
          `${ledgerRecordsPageSize.default}) in the order of record ids; ask again with \`after\` set to ` +
          '`next` until `next` is null. With `patient`, only that patient’s anchors (what its records’ ' +
          'events published already).',
        tags: ['system'],
        querystring: ledgerRecordsQuery,
        response: { 200: indexedRecordAnchorPage, ...errorResponses },
      },
    },
    async (request) =>
      indexedRecordAnchors(services, {
        after: request.query.after,
        patient: request.query.patient,
        limit: request.query.limit === undefined ? undefined : Number(request.query.limit),
      }),
  );
}
