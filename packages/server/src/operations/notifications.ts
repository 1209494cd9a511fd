/**
 * Notification operations: the signed-in identity's notifications as a page, and as a live feed
 * that sends what is stored after a given id, then each new one as it is stored, in order and once.
 */
import {
  type Notification,
  type NotificationList,
  type NotificationQuery,
  notificationPageSize,
} from '@medledger/api';
import { InvalidInputError } from '@medledger/core';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import type { NotificationRow } from '../store/notificationStore.ts';

/** A stored notification as the API answers it. */
function describeNotification(notification: NotificationRow): Notification {
  return {
    id: notification.id,
    kind: notification.kind,
    createdAt: new Date(notification.createdAt).toISOString(),
    data: notification.data,
  };
}

/** The caller's notifications after `after` (default: from the first), oldest first, at most `limit` (≤ 500). */
export async function listNotifications(
  services: GatewayServices,
  session: Session,
  query: NotificationQuery,
): Promise<NotificationList> {
  const rows = await services.notifier.list(
    session.address,
    Number(query.after ?? 0),
    Math.min(Number(query.limit ?? notificationPageSize), notificationPageSize),
  );
  return { notifications: rows.map(describeNotification) };
}

/**
 * Where a feed resumes: the `Last-Event-ID` header when given (it must be a notification id, else
 * `InvalidInputError` with reason `invalid_last_event_id`), else `after`, else from the first.
 */
export function feedStart(lastEventId: unknown, after: string | undefined): number {
  if (lastEventId === undefined) return Number(after ?? 0);
  if (!/^[0-9]{1,15}$/.test(String(lastEventId))) {
    throw new InvalidInputError('Last-Event-ID must be the id of a notification (a whole number).', {
      reason: 'invalid_last_event_id',
    });
  }
  return Number(lastEventId);
}

export interface NotificationFeedHandlers {
  /** Called with each notification, in increasing id order, each once. */
  send(notification: Notification): void;
  /** Called once when the feed ends on its own: the session expired, the gateway stops, or reading failed. */
  end(error?: unknown): void;
}

/**
 * Follows the caller's notifications after `after`: sends the stored ones, then each new one as it
 * is stored. It listens before reading the backlog and holds live ones back until the backlog is
 * sent, so nothing stored in between is missed and ids go out in order. Ends when the session
 * expires or the gateway stops; call the returned `close` when the consumer goes away.
 */
export function followNotifications(
  services: GatewayServices,
  session: Session,
  after: number,
  handlers: NotificationFeedHandlers,
): { close(): void } {
  const { notifier } = services;
  const recipient = session.address;
  let lastSent = after;
  let closed = false;
  const send = (notification: NotificationRow) => {
    if (closed || notification.id <= lastSent) return;
    lastSent = notification.id;
    handlers.send(describeNotification(notification));
  };
  let held: NotificationRow[] | undefined = [];
  const unsubscribe = notifier.subscribe(recipient, (notification) => {
    if (held) held.push(notification);
    else send(notification);
  });
  const sessionEnd = setTimeout(() => end(), Math.max(0, session.expiresAt - Date.now()));
  const untrack = notifier.trackStream(() => end());

  function close() {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearTimeout(sessionEnd);
    untrack();
  }
  function end(error?: unknown) {
    if (closed) return;
    close();
    handlers.end(error);
  }

  void (async () => {
    try {
      for (;;) {
        const page = await notifier.list(recipient, lastSent, notificationPageSize);
        for (const notification of page) send(notification);
        if (page.length < notificationPageSize) break;
      }
      for (const notification of held) send(notification);
      held = undefined;
    } catch (error) {
      end(error);
    }
  })();
  return { close };
}
