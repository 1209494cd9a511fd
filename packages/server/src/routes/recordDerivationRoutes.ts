/**
 * Record derivation routes (copy, duplicate, move): HTTP adapters of `operations/recordDerivations.ts`.
 * The body carries the new record as `POST /api/records` does, so it takes its size limit.
 */
import { deriveRecordBody, errorResponses, recordDerived, recordIdParams } from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { deriveRecord } from '../operations/recordDerivations.ts';
import { maxRecordBodyBytes } from './recordRoutes.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function recordDerivationRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);

  app.post(
    '/api/records/:id/derive',
    {
      onRequest: session,
      bodyLimit: maxRecordBodyBytes,
      schema: {
        summary: 'Copy a record for another organisation, duplicate it, or move it to another patient',
        description:
          'The signed Derivation of the source record :id and the new record (checked as POST /api/records ' +
          'checks a record), anchored in one transaction; a move erases the source. Copy: the patient or a ' +
          'holder of a grant with the share action over the source; the members of toOrganisation may then ' +
          'read the copy. Duplicate: the patient or a reader of the source. Move: the source’s author or an ' +
          'admin of its organisation, to another patient. Refused with 403 (no_consent, or the chain’s ' +
          'reason), 400 (derivation_same_patient, derivation_other_patient, derivation_organisation).',
        tags: ['records'],
        security: [{ session: [] }],
        params: recordIdParams,
        body: deriveRecordBody,
        response: { 201: recordDerived, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await deriveRecord(services, request.session, request.params.id as `0x${string}`, request.body),
        ),
  );
}
