/**
 * The notifications area: the signed-in identity's notifications, as a list and as a live stream of
 * server-sent events (`GET /api/notifications/stream`, `text/event-stream`): each event has type
 * `notification`, `id` the notification's number and `data` a `notification` as JSON; comments keep
 * the connection alive. Data are ids, addresses, category names and times, never health content.
 */
import type { ApiType } from './apiType.ts';
import { object } from './schemaParts.ts';

/** What a notification may carry in `data`: scalars, or a list of names (e.g. categories). */
const notificationValue = {
  anyOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'array', items: { type: 'string' } }],
} as const;

/** The kinds of notification a gateway stores. */
export const notificationKinds = [
  'access-requested',
  'access-request-approved',
  'access-request-denied',
  'grant-used',
  'access-refused',
  'record-added',
  'record-co-signed',
  'record-copied',
  'record-duplicated',
  'record-moved',
  'emergency-declared',
  'emergency-reviewed',
  'emergency-ended',
  'emergency-privilege-set',
  'appointment-booked',
  'appointment-cancelled',
  'order-placed',
  'order-status',
  'order-completed',
  'order-dispensed',
  'second-factor-changed',
  'record-erased',
  'record-hidden',
] as const;

/** One notification: what happened (`kind`) and its facts (`data`). */
export const notification = object(
  {
    id: { type: 'integer', description: 'increasing; resume a stream after the last one seen' },
    kind: { type: 'string', description: `one of ${notificationKinds.join(', ')}` },
    createdAt: { type: 'string', format: 'date-time' },
    data: { type: 'object', additionalProperties: notificationValue },
  },
  ['id', 'kind', 'createdAt', 'data'],
);
export type Notification = ApiType<typeof notification>;

const notificationId = { type: 'string', pattern: '^[0-9]{1,15}$' } as const;

/** The most notifications one page holds. */
export const notificationPageSize = 500;

/** `GET /api/notifications` query: after which notification, and how many (1 to 500). */
export const notificationQuery = object({
  after: notificationId,
  limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: `1 to ${notificationPageSize}` },
});
export type NotificationQuery = ApiType<typeof notificationQuery>;

/** `GET /api/notifications`: the caller's notifications after `after`, oldest first. */
export const notificationList = object({ notifications: { type: 'array', items: notification } }, [
  'notifications',
]);
export type NotificationList = ApiType<typeof notificationList>;

/** `GET /api/notifications/stream` query; a `Last-Event-ID` header takes precedence. */
export const notificationStreamQuery = object({ after: notificationId });

/** `GET /api/notifications/stream` headers: the id of the last notification the client received. */
export const notificationStreamHeaders = {
  type: 'object',
  properties: { 'last-event-id': { type: 'string', maxLength: 15 } },
} as const;

/**
 * `GET /api/notifications/stream` answers server-sent events, not JSON: each event's `data` is one
 * `notification`. Documented as such (the route writes the stream itself).
 */
export const notificationStreamResponse = {
  description: 'server-sent events: `event: notification`, `id` its number, `data` its JSON',
  content: { 'text/event-stream': { schema: { type: 'string' } } },
} as const;
