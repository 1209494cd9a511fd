/**
 * The record anchors this gateway has indexed, for anyone to check against the chain
 * (`medledger verify`): a record the gateway knows but the chain lacks, or knows otherwise, shows
 * that its index (and what it serves from it) is not the ledger's. Only what the chain publishes
 * in its `RecordAnchored` events: ids, addresses, category codes, digests, times and blocks.
 */

import { address, bytes32, cid, errorResponse, object, uint8, uint32, uint64 } from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { Hex } from 'viem';
import type { GatewayServices } from '../gatewayServices.ts';
import type { RecordRow } from '../store/gatewayStore.ts';
import { typedRoutes } from './routeHelpers.ts';

const pageSize = 500;
const maxPageSize = 1000;

const indexedAnchor = object(
  {
    recordId: bytes32,
    patient: address,
    author: address,
    organisationId: uint32,
    category: { ...uint8, description: 'category code as anchored (0..11)' },
    sensitivity: { ...uint8, description: 'sensitivity code as anchored (0 normal, 1 restricted)' },
    contentDigest: bytes32,
    cid,
    supersedes: bytes32,
    createdAt: uint64,
    blockNumber: uint64,
    transactionHash: bytes32,
  },
  [
    'recordId',
    'patient',
    'author',
    'organisationId',
    'category',
    'sensitivity',
    'contentDigest',
    'cid',
    'supersedes',
    'createdAt',
    'blockNumber',
    'transactionHash',
  ],
);

export function ledgerRecordRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { store } = services;

  app.get(
    '/api/ledger/records',
    {
      schema: {
        summary: 'The record anchors this gateway has indexed, by record id, a page at a time',
        description:
          'For checking this gateway’s index against the chain (`medledger verify`). Each entry holds the fields ' +
          'of the record’s RecordAnchored event as this gateway indexed them, with codes for category and ' +
          `sensitivity; no health data. Pages of up to ${maxPageSize} (default ${pageSize}) in the order of ` +
          'record ids; ask again with `after` set to `next` until `next` is null.',
        tags: ['system'],
        querystring: object({
          after: { ...bytes32, description: 'the last record id of the previous page' },
          limit: { type: 'string', pattern: '^[1-9][0-9]{0,3}$', description: `1 to ${maxPageSize}` },
        }),
        response: {
          200: object(
            {
              records: { type: 'array', items: indexedAnchor },
              next: { anyOf: [bytes32, { type: 'null' }], description: 'the `after` of the next page' },
            },
            ['records', 'next'],
          ),
          400: errorResponse,
        },
      },
    },
    async (request) => {
      const limit = Math.min(Number(request.query.limit ?? pageSize), maxPageSize);
      const after = (request.query.after?.toLowerCase() as Hex | undefined) ?? null;
      const rows = await store.recordsPage(after, limit);
      return {
        records: rows.map(describeAnchor),
        next: rows.length === limit ? (rows.at(-1)?.recordId ?? null) : null,
      };
    },
  );
}

function describeAnchor(row: RecordRow) {
  return {
    recordId: row.recordId,
    patient: row.patient,
    author: row.author,
    organisationId: row.organisationId,
    category: row.category,
    sensitivity: row.sensitivity,
    contentDigest: row.contentDigest,
    cid: row.cid,
    supersedes: row.supersedes,
    createdAt: row.createdAt,
    blockNumber: row.blockNumber,
    transactionHash: row.transactionHash,
  };
}
