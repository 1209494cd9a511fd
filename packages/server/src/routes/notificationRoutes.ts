/**
 * Notifications of the signed-in identity: a list, and a server-sent events stream
 * (`text/event-stream`). Each event's `id:` is the notification's number, so a client that
 * reconnects with `Last-Event-ID` (or `?after=`) gets what arrived while it was away, then the new
 * ones as they come. The stream is authenticated like every route (an `Authorization` header, as
 * fetch streaming sends it) and ends when the session does: the client signs in again and resumes.
 */

import { created, errorResponse, object } from '@medledger/api';
import { InvalidInputError } from '@medledger/core';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import type { NotificationRow } from '../store/notificationStore.ts';
import { requireSession, typedRoutes } from './routeHelpers.ts';

const notificationId = { type: 'string', pattern: '^[0-9]{1,15}$' } as const;
const pageSize = 500;
const heartbeatMs = 15_000;

export function notificationRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { auth, notifier } = services;
  const session = requireSession(auth);
  const security = [{ session: [] }];
  const tags = ['notifications'];

  // Open streams would keep the server from closing: end them first; clients resume on reconnect.
  instance.addHook('preClose', async () => notifier.closeStreams());

  app.get(
    '/api/notifications',
    {
      preHandler: session,
      schema: {
        summary: 'The caller’s notifications after a given id, oldest first',
        description:
          'Kinds: access-requested, access-request-approved, access-request-denied, grant-used, record-added, ' +
          'emergency-declared, emergency-reviewed, emergency-ended, emergency-privilege-set. Data are ids, ' +
          'addresses, category names and times only, never health content.',
        tags,
        security,
        querystring: object({
          after: notificationId,
          limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: `1 to ${pageSize}` },
        }),
        response: { 200: created, 400: errorResponse, 401: errorResponse },
      },
    },
    async (request) => {
      const rows = await notifier.list(
        request.session.address,
        Number(request.query.after ?? 0),
        Math.min(Number(request.query.limit ?? pageSize), pageSize),
      );
      return { notifications: rows.map(describeNotification) };
    },
  );

  app.get(
    '/api/notifications/stream',
    {
      preHandler: session,
      schema: {
        summary: 'The caller’s notifications as server-sent events (text/event-stream), live',
        description:
          'Sends the notifications after `Last-Event-ID` (or `after`), then each new one as it is stored; event ' +
          'type `notification`, `id` its number, `data` its JSON. Comments keep the connection alive. The ' +
          'stream ends when the session expires; reconnect with the last id to resume without loss.',
        tags,
        security,
        querystring: object({ after: notificationId }),
        headers: {
          type: 'object',
          properties: { 'last-event-id': { type: 'string', maxLength: 15 } },
        },
        response: { 400: errorResponse, 401: errorResponse },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      if (header !== undefined && !/^[0-9]{1,15}$/.test(String(header))) {
        throw new InvalidInputError('Last-Event-ID must be the id of a notification (a whole number).');
      }
      const recipient = request.session.address;
      let lastSent = Number(header ?? request.query.after ?? 0);
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 1000\n\n');

      const send = (notification: NotificationRow) => {
        if (notification.id <= lastSent || raw.destroyed) return;
        lastSent = notification.id;
        raw.write(
          `id: ${notification.id}\nevent: notification\ndata: ${JSON.stringify(describeNotification(notification))}\n\n`,
        );
      };
      // Listen before reading the backlog, holding live ones back until it is sent: nothing
      // stored in between is missed, and ids go out in order.
      let held: NotificationRow[] | undefined = [];
      const unsubscribe = notifier.subscribe(recipient, (notification) => {
        if (held) held.push(notification);
        else send(notification);
      });
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), heartbeatMs);
      const sessionEnd = setTimeout(end, Math.max(0, request.session.expiresAt - Date.now()));
      const untrack = notifier.trackStream(end);
      raw.on('close', cleanUp);

      function cleanUp() {
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(sessionEnd);
        untrack();
      }
      function end() {
        cleanUp();
        raw.end();
      }

      try {
        for (;;) {
          const page = await notifier.list(recipient, lastSent, pageSize);
          for (const notification of page) send(notification);
          if (page.length < pageSize) break;
        }
        for (const notification of held) send(notification);
        held = undefined;
      } catch (error) {
        request.log.warn({ err: error }, 'reading notifications failed; the stream ends');
        end();
      }
    },
  );
}

export function describeNotification(notification: NotificationRow) {
  return {
    id: notification.id,
    kind: notification.kind,
    createdAt: new Date(notification.createdAt).toISOString(),
    data: notification.data,
  };
}
