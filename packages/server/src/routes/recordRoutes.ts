/** The records routes: HTTP adapters of `operations/records.ts`. */
import {
  addRecordBody,
  blob,
  blobParams,
  errorResponses,
  listRecordsQuery,
  readRecordBody,
  recordAccess,
  recordAdded,
  recordIdParams,
  recordList,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { addRecord, listRecords, readBlob, readRecord } from '../operations/records.ts';
import { peerRequestHeader } from '../store/replicatingBlobStore.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

/** The largest record upload: its envelope (base64url) and signed leaf. Read only once the caller is signed in. */
export const maxRecordBodyBytes = 32 * 1024 * 1024;

export function recordRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];

  app.post(
    '/api/records',
    {
      onRequest: session,
      bodyLimit: maxRecordBodyBytes,
      schema: {
        summary: 'Anchor a record: its encrypted envelope and the leaf its author signed',
        description:
          'The envelope must be sealed to the patient’s registered key and to its custodian organisation’s key. ' +
          'The author needs an append grant from the patient (or is the patient). Answers once the record is in a block.',
        tags: ['records'],
        security,
        body: addRecordBody,
        response: { 201: recordAdded, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await addRecord(services, request.session, request.body)),
  );

  app.get(
    '/api/records',
    {
      onRequest: session,
      schema: {
        summary: 'Metadata of a patient’s records that the caller may read (all of them for the patient)',
        description:
          'Each with its stamp: final or draft under its category’s co-signature policy, and its signers. ' +
          'Only records the chain anchors as indexed are listed.',
        tags: ['records'],
        security,
        querystring: listRecordsQuery,
        response: { 200: recordList, ...errorResponses },
      },
    },
    async (request) => listRecords(services, request.session, request.query, request.log),
  );

  app.post(
    '/api/records/:id/access',
    {
      onRequest: session,
      schema: {
        summary:
          'Read a record: its envelope, and its data key sealed to the caller when the ledger allows it',
        description:
          'The patient unwraps its own key slot in the envelope (sealedKey is null), unless it rotated its key since ' +
          'the record was written. Any other reader, and such a patient, gets the data ' +
          'key re-sealed by this gateway’s custodian to the reader’s registered encryption key. Audited either way. ' +
          'Nothing is released unless the chain anchors the record as this gateway indexed it, at the block the ' +
          'access decision was taken at: 404 with reason record_not_on_chain if it does not, 422 with reason ' +
          'record_anchor_mismatch if its anchor differs.',
        tags: ['records'],
        security,
        params: recordIdParams,
        body: readRecordBody,
        response: { 200: recordAccess, ...errorResponses },
      },
    },
    async (request) =>
      readRecord(services, request.session, {
        recordId: request.params.id,
        purpose: request.body?.purpose,
      }),
  );

  app.get(
    '/api/blobs/:cid',
    {
      schema: {
        summary:
          'An encrypted blob by its CID (ciphertext only; verified against its CID before it is served)',
        tags: ['records'],
        params: blobParams,
        response: { 200: blob, ...errorResponses },
      },
    },
    async (request, reply) => {
      const bytes = await readBlob(services, {
        cid: request.params.cid,
        localOnly: request.headers[peerRequestHeader] === '1',
      });
      return reply.type('application/octet-stream').send(Buffer.from(bytes) as unknown as string);
    },
  );
}
