import type { NotificationList } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * This identity's stored notifications after `after` (oldest first, at most `limit`, up to 500).
 *
 * @example
 * const { notifications: stored } = await notifications(patient, { after: 0 });
 */
export function notifications(
  client: Transport,
  query: { after?: number; limit?: number } = {},
): Promise<NotificationList> {
  const params = new URLSearchParams();
  if (query.after) params.set('after', String(query.after));
  if (query.limit) params.set('limit', String(query.limit));
  return client.call<NotificationList>('GET', `/api/notifications?${params}`);
}
