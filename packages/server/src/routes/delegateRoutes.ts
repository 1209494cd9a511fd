/** HTTP adapter of the delegates area: schemas from `@medledger/api`, logic in `operations/delegates.ts`. */
import {
  addDelegateBody,
  addressParam,
  delegateAdded,
  delegateList,
  delegateRemoved,
  errorResponses,
  listDelegatesQuery,
  removeDelegateBody,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { addDelegate, listDelegates, removeDelegate } from '../operations/delegates.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function delegateRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['delegates'];

  app.post(
    '/api/delegates',
    {
      onRequest: session,
      schema: {
        summary: 'Register a delegate (family, caregiver, researcher) of the patient, signed by the patient',
        description:
          'A delegate is not a member of an organisation. The patient can then grant it consents, read only and ' +
          'within its category limit; registering it again updates its kind, limit and key.',
        tags,
        security,
        body: addDelegateBody,
        response: { 201: delegateAdded, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await addDelegate(services, request.session, request.body)),
  );

  app.delete(
    '/api/delegates/:address',
    {
      onRequest: session,
      schema: {
        summary: 'Remove a delegate of the patient, signed by the patient; its grants stop applying',
        tags,
        security,
        params: addressParam,
        body: removeDelegateBody,
        response: { 200: delegateRemoved, ...errorResponses },
      },
    },
    async (request) =>
      removeDelegate(services, request.session, { ...request.body, delegate: request.params.address }),
  );

  app.get(
    '/api/delegates',
    {
      onRequest: session,
      schema: {
        summary: 'A patient’s delegates (to the patient), or the caller’s own entries as a delegate',
        tags,
        security,
        querystring: listDelegatesQuery,
        response: { 200: delegateList, ...errorResponses },
      },
    },
    async (request) => listDelegates(services, request.session, request.query),
  );
}
