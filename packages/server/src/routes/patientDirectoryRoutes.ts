/**
 * The patient directory: desk codes and the identifiers an organisation keeps of its patients.
 * Codes and identifiers travel in bodies, never in URLs (which logs keep). The work is done by
 * `operations/patientDirectory.ts`.
 */
import {
  assignIdentifierBody,
  deskCodeIssued,
  deskCodeRedeemed,
  errorResponses,
  identifierList,
  identifierListQuery,
  issueDeskCodeBody,
  lookUpIdentifierBody,
  patientIdentifier,
  redeemDeskCodeBody,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import {
  assignIdentifier,
  issueDeskCode,
  listIdentifiers,
  lookUpIdentifier,
  redeemDeskCode,
} from '../operations/patientDirectory.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function patientDirectoryRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['patient directory'];

  app.post(
    '/api/patient-directory/desk-codes',
    {
      onRequest: session,
      schema: {
        summary: 'A one-time desk code for the signed-in patient to show (replaces any earlier one)',
        description:
          '8 characters, live 10 minutes, redeemable once at this gateway; kept only as a keyed hash.',
        tags,
        security,
        body: issueDeskCodeBody,
        response: { 201: deskCodeIssued, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await issueDeskCode(services, request.session)),
  );

  app.post(
    '/api/patient-directory/desk-codes/redemption',
    {
      onRequest: session,
      schema: {
        summary: 'Redeem a desk code a patient showed, for the patient’s address (once)',
        description:
          'For active members of an organisation this gateway serves. Every attempt is audited; an account ' +
          'that fails 10 times in an hour is refused until the hour is over.',
        tags,
        security,
        body: redeemDeskCodeBody,
        response: { 200: deskCodeRedeemed, ...errorResponses },
      },
    },
    async (request) => redeemDeskCode(services, request.session, request.body.code),
  );

  app.post(
    '/api/patient-directory/identifiers',
    {
      onRequest: session,
      schema: {
        summary: 'Keep an identifier (e.g. an MRN) of your organisation for a patient',
        description:
          'Unique per organisation, system and value. For the organisation’s own patients and patients who ' +
          'share their demographics with the member. 201 when new, 200 when it was kept already.',
        tags,
        security,
        body: assignIdentifierBody,
        response: { 200: patientIdentifier, 201: patientIdentifier, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { identifier, created } = await assignIdentifier(services, request.session, request.body);
      return reply.status(created ? 201 : 200).send(identifier);
    },
  );

  app.post(
    '/api/patient-directory/identifier-lookups',
    {
      onRequest: session,
      schema: {
        summary: 'Find the patient your organisation keeps under an identifier',
        tags,
        security,
        body: lookUpIdentifierBody,
        response: { 200: patientIdentifier, ...errorResponses },
      },
    },
    async (request) => lookUpIdentifier(services, request.session, request.body),
  );

  app.get(
    '/api/patient-directory/identifiers',
    {
      onRequest: session,
      schema: {
        summary: 'A patient’s identifiers: all of them for the patient, your organisation’s for a member',
        tags,
        security,
        querystring: identifierListQuery,
        response: { 200: identifierList, ...errorResponses },
      },
    },
    async (request) => listIdentifiers(services, request.session, request.query.patient),
  );
}
