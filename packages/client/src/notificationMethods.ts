/**
 * The client's notifications: a list, and a live stream read with fetch streaming (the session
 * token goes in the Authorization header; no cookie, no EventSource). The stream resumes after the
 * last notification it delivered whenever the connection ends (session expiry, a gateway restart,
 * a network fault), so nothing stored meanwhile is lost or delivered twice.
 */

import type * as Api from '@medledger/api';
import { MedledgerError, UnauthenticatedError } from '@medledger/core';
import type { ClientRequest } from './clientActions.ts';
import { errorFromResponse } from './errorFromResponse.ts';

export interface FollowNotificationsOptions {
  /** Start after this notification id (default: from the first). */
  after?: number;
  /** Stops following. */
  signal?: AbortSignal;
  /** Pause before reconnecting, in milliseconds (default 1000). */
  retryMs?: number;
}

export function notificationMethods({
  request,
  baseUrl,
  sessionToken,
  dropSession,
}: {
  request: ClientRequest;
  baseUrl: string;
  sessionToken: () => Promise<string>;
  dropSession: () => void;
}) {
  /**
   * Yields this identity's notifications after `after`, then each new one as the gateway stores it,
   * reconnecting after any interruption; ends only when `signal` aborts (or the consumer stops).
   *
   * @example
   * for await (const notification of client.followNotifications({ signal })) console.log(notification.kind);
   */
  async function* followNotifications(
    options: FollowNotificationsOptions = {},
  ): AsyncGenerator<Api.Notification, void, undefined> {
    const { signal, retryMs = 1_000 } = options;
    let last = options.after ?? 0;
    let signedInAgain = false;
    while (!signal?.aborted) {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/api/notifications/stream`, {
          headers: {
            authorization: `Bearer ${await sessionToken()}`,
            accept: 'text/event-stream',
            'last-event-id': String(last),
          },
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (signal?.aborted) return;
        if (!isUnreachable(error)) throw error;
        await pause(retryMs, signal);
        continue;
      }
      if (response.status === 401 && !signedInAgain) {
        // The session ended at the gateway (expired, signed out): sign in again, once.
        await response.body?.cancel();
        dropSession();
        signedInAgain = true;
        continue;
      }
      signedInAgain = false;
      if (transientStatuses.has(response.status)) {
        // The gateway is stopping, starting or overloaded: try again shortly.
        await response.body?.cancel();
        await pause(retryMs, signal);
        continue;
      }
      if (!response.ok || !response.body) {
        const text = await response.text();
        throw errorFromResponse(response.status, text ? JSON.parse(text) : undefined);
      }
      try {
        for await (const event of readEventStream(response.body)) {
          if (event.event !== 'notification' || !event.id) continue;
          last = Number(event.id);
          yield JSON.parse(event.data) as Api.Notification;
        }
      } catch (error) {
        if (signal?.aborted) return;
        if (error instanceof UnauthenticatedError) throw error;
        // The connection broke: resume from the last notification delivered.
      }
      await pause(retryMs, signal);
    }
  }

  return {
    /** This identity's stored notifications after `after` (oldest first, at most `limit`, up to 500). */
    notifications: (query: { after?: number; limit?: number } = {}) => {
      const params = new URLSearchParams();
      if (query.after) params.set('after', String(query.after));
      if (query.limit) params.set('limit', String(query.limit));
      return request<Api.NotificationList>('GET', `/api/notifications?${params}`);
    },
    followNotifications,
  };
}

/** Answers that say "not now" rather than "no": a gateway closing (503) or a proxy without it (502, 504). */
const transientStatuses = new Set([502, 503, 504]);

export interface ServerSentEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * Parses a `text/event-stream` body (WHATWG HTML, server-sent events): events are separated by a
 * blank line; `data` lines join with line feeds; comments and `retry` are skipped.
 */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = blankLine(buffer); end; end = blankLine(buffer)) {
        const block = buffer.slice(0, end.index);
        buffer = buffer.slice(end.index + end.length);
        const event = parseBlock(block);
        if (event) yield event;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function blankLine(buffer: string): { index: number; length: number } | undefined {
  const match = /\r\n\r\n|\n\n|\r\r/.exec(buffer);
  return match ? { index: match.index, length: match[0].length } : undefined;
}

function parseBlock(block: string): ServerSentEvent | undefined {
  const event: ServerSentEvent = { event: 'message', data: '' };
  const data: string[] = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
  }
  if (!data.length) return undefined;
  event.data = data.join('\n');
  return event;
}

/** A fetch that could not reach the gateway (connection refused or reset), as opposed to an answer. */
function isUnreachable(error: unknown): boolean {
  if (error instanceof MedledgerError) return error.reason === 'gateway_unreachable';
  return error instanceof TypeError;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
