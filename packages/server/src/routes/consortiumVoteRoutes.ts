/** HTTP adapter of what the consortium's admins are voting on now (`operations/consortiumVotes.ts`). */
import { consortiumVotes as consortiumVotesSchema, errorResponses } from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { consortiumVotes } from '../operations/consortiumVotes.ts';
import { apiRoutes } from './routeHelpers.ts';

export function consortiumVoteRoutes(instance: FastifyInstance, services: GatewayServices): void {
  apiRoutes(instance).get(
    '/api/consortium/votes',
    {
      schema: {
        summary: 'What the admins are voting on now, with the votes each has and needs',
        description:
          'Organisations waiting to join, and the custody, emergency window and author erasure window proposals ' +
          'that can still pass; each passes once two thirds of the active organisations voted for it.',
        tags: ['consortium'],
        response: { 200: consortiumVotesSchema, ...errorResponses },
      },
    },
    async () => consortiumVotes(services),
  );
}
