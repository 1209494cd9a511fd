/**
 * Limits on connections and on work in progress, so that slow or numerous clients cannot hold the
 * gateway: timeouts on each phase of a request, a cap on open connections (in all and per client
 * address), and load shedding: past a number of API requests in flight, more are answered 503
 * `overloaded` with Retry-After at once instead of queueing (behind a frozen chain every request
 * waits for its read to time out, and a queue would grow without bound).
 */
import type { Server } from 'node:net';
import { OverloadedError } from '@medledger/core';
import type { FastifyInstance } from 'fastify';

export interface ConnectionLimits {
  /** Open connections in all; past it new ones are closed at once. */
  maxConnections: number;
  /** Open connections per client address (0: no cap, e.g. behind a reverse proxy). */
  maxConnectionsPerAddress: number;
  /** API requests being answered at once; past it more are shed with 503 `overloaded`. */
  maxRequestsInFlight: number;
}

export const defaultConnectionLimits: ConnectionLimits = {
  maxConnections: 4_096,
  maxConnectionsPerAddress: 128,
  maxRequestsInFlight: 1_024,
};

/**
 * Timeouts of the HTTP server: a client has 10 s to send its headers and 120 s for the whole
 * request (a 32 MiB record on a slow link); an idle connection is closed after 60 s (the
 * notification stream writes a heartbeat every 15 s), an idle kept-alive one after 5 s.
 */
export const serverTimeouts = {
  headersMs: 10_000,
  requestMs: 120_000,
  idleSocketMs: 60_000,
  keepAliveMs: 5_000,
};

/** Requests that are long-lived by design and not counted in flight: the notification stream. */
const longLived = /^\/api\/notifications\/stream(\?|$)/;

/** Caps the open connections of `server`, in all and per remote address. */
export function capConnections(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
  if (limits.maxConnectionsPerAddress <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.maxConnectionsPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/** Sheds API requests past `maxRequestsInFlight` with 503 `overloaded`. */
export function shedLoad(app: FastifyInstance, maxRequestsInFlight: number): void {
  let inFlight = 0;
  app.addHook('onRequest', async (request, reply) => {
    if (!(request.url.startsWith('/api/') || request.url.startsWith('/rpc')) || longLived.test(request.url))
      return;
    if (inFlight >= maxRequestsInFlight) {
      throw new OverloadedError('The gateway is at capacity; retry in a moment.', {
        reason: 'overloaded',
        fields: { retryAfter: 1 },
      });
    }
    inFlight++;
    reply.raw.once('close', () => {
      inFlight--;
    });
  });
}
