/**
 * Notifications of the signed-in identity: a list, and a server-sent events stream
 * (`text/event-stream`). Each event's `id:` is the notification's number, so a client that
 * reconnects with `Last-Event-ID` (or `?after=`) gets what arrived while it was away, then the new
 * ones as they come. The stream is authenticated like every route (an `Authorization` header, as
 * fetch streaming sends it) and ends when the session does: the client signs in again and resumes.
 * The work is done by `operations/notifications.ts`; this module declares the routes and writes SSE.
 */
import {
  errorResponses,
  notificationList,
  notificationQuery,
  notificationStreamHeaders,
  notificationStreamQuery,
  notificationStreamResponse,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { feedStart, followNotifications, listNotifications } from '../operations/notifications.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

const heartbeatMs = 15_000;
/** How often an open stream checks that its session still holds (sign-out, sign-out everywhere, its end). */
const sessionCheckMs = 60_000;

export function notificationRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['notifications'];

  // Open streams would keep the server from closing: end them first; clients resume on reconnect.
  instance.addHook('preClose', async () => services.notifier.closeStreams());

  app.get(
    '/api/notifications',
    {
      onRequest: session,
      schema: {
        summary: 'The caller’s notifications after a given id, oldest first',
        description:
          'Kinds: access-requested, access-request-approved, access-request-denied, grant-used, access-refused, record-added, ' +
          'record-co-signed, record-copied, record-duplicated, record-moved, record-erased, record-hidden, ' +
          'emergency-declared, emergency-reviewed, emergency-ended, emergency-privilege-set, second-factor-changed. ' +
          'Data are ids, addresses, category names and times only, never health content.',
        tags,
        security,
        querystring: notificationQuery,
        response: { 200: notificationList, ...errorResponses },
      },
    },
    async (request) => listNotifications(services, request.session, request.query),
  );

  app.get(
    '/api/notifications/stream',
    {
      onRequest: session,
      schema: {
        summary: 'The caller’s notifications as server-sent events (text/event-stream), live',
        description:
          'Sends the notifications after `Last-Event-ID` (or `after`), then each new one as it is stored; event ' +
          'type `notification`, `id` its number, `data` its JSON (a notification, as `GET /api/notifications` ' +
          'lists them). Comments keep the connection alive. The session is checked again every minute (an open ' +
          'stream counts as its use): the stream ends within a minute of the session ending (its absolute end, ' +
          'sign-out, sign-out everywhere); reconnect with the last id to resume without loss.',
        tags,
        security,
        querystring: notificationStreamQuery,
        headers: notificationStreamHeaders,
        response: { 200: notificationStreamResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const after = feedStart(request.headers['last-event-id'], request.query.after);
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 1000\n\n');
      let sinceCheck = 0;
      const heartbeat = setInterval(() => {
        raw.write(': keep-alive\n\n');
        sinceCheck += heartbeatMs;
        if (sinceCheck < sessionCheckMs) return;
        sinceCheck = 0;
        // A session ended since the stream opened ends the stream; so does a check that fails.
        services.auth.authenticate(request.headers.authorization).catch(() => {
          clearInterval(heartbeat);
          feed.close();
          raw.end();
        });
      }, heartbeatMs);
      const feed = followNotifications(services, request.session, after, {
        send: (notification) => {
          if (raw.destroyed) return;
          raw.write(`id: ${notification.id}\nevent: notification\ndata: ${JSON.stringify(notification)}\n\n`);
        },
        end: (error) => {
          if (error) request.log.warn({ err: error }, 'reading notifications failed; the stream ends');
          clearInterval(heartbeat);
          raw.end();
        },
      });
      raw.on('close', () => {
        clearInterval(heartbeat);
        feed.close();
      });
    },
  );
}
