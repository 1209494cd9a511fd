import type { Notification } from '@medledger/api';
import { MedledgerError, UnauthenticatedError } from '@medledger/core';
import { errorFromResponse } from '../errorFromResponse.ts';
import { readEventStream } from '../eventStream.ts';
import type { Transport } from '../transport.ts';

export interface FollowNotificationsOptions {
  /** Start after this notification id (default: from the first). */
  after?: number;
  /** Stops following. */
  signal?: AbortSignal;
  /** Pause before reconnecting, in milliseconds (default 1000). */
  retryMs?: number;
}

/**
 * Yields this identity's notifications after `after`, then each new one as the gateway stores it,
 * read with fetch streaming (the session token goes in the Authorization header; no cookie, no
 * EventSource). The stream resumes after the last notification it delivered whenever the
 * connection ends (session expiry, a gateway restart, a network fault), so nothing stored meanwhile
 * is lost or delivered twice; it ends only when `signal` aborts (or the consumer stops).
 *
 * @example
 * for await (const notification of followNotifications(client, { signal })) console.log(notification.kind);
 */
export async function* followNotifications(
  client: Transport,
  options: FollowNotificationsOptions = {},
): AsyncGenerator<Notification, void, undefined> {
  const { signal, retryMs = 1_000 } = options;
  let last = options.after ?? 0;
  let signedInAgain = false;
  while (!signal?.aborted) {
    let response: Response;
    try {
      response = await fetch(`${client.url}/api/notifications/stream`, {
        headers: {
          authorization: `Bearer ${(await client.signIn()).token}`,
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
      client.dropSession();
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
        yield JSON.parse(event.data) as Notification;
      }
    } catch (error) {
      if (signal?.aborted) return;
      if (error instanceof UnauthenticatedError) throw error;
      // The connection broke: resume from the last notification delivered.
    }
    await pause(retryMs, signal);
  }
}

/** Answers that say "not now" rather than "no": a gateway closing (503) or a proxy without it (502, 504). */
const transientStatuses = new Set([502, 503, 504]);

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
