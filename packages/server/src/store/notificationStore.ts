/**
 * Notifications kept per recipient, numbered in the order they were stored, so that a client that
 * was away asks for everything after the last number it saw. A notification never holds health
 * content: ids, categories, addresses and times only.
 */
import type { Address } from 'viem';

/** Values a notification may carry: ids, addresses, category names, times. */
export type NotificationData = Record<string, string | number | boolean | null | string[]>;

export interface NotificationRow {
  /** Increasing over the gateway's notifications (not per recipient): the SSE event id. */
  id: number;
  recipient: Address;
  kind: string;
  /** Unix milliseconds. */
  createdAt: number;
  data: NotificationData;
}

/** A notification to store once: a second draft with the same `key` is dropped. */
export interface NotificationDraft {
  recipient: Address;
  kind: string;
  data: NotificationData;
  /** What makes it unique, e.g. the transaction, log index, recipient and kind of a chain event. */
  key: string;
}

export interface NotificationStore {
  /** The last block whose chain events were turned into notifications, or null before the first. */
  notifiedBlock(): Promise<number | null>;
  /** Moves the chain events' cursor back to `toBlock` (null: before the first block) if it is beyond it. */
  rewindNotifiedBlock(toBlock: number | null): Promise<void>;
  /**
   * Stores the drafts whose key is new, and, with `toBlock`, moves the cursor of chain events to it,
   * atomically. Resolves with the notifications stored now, in order.
   */
  addNotifications(drafts: NotificationDraft[], toBlock?: number): Promise<NotificationRow[]>;
  /** Every recipient's notifications after `afterId`, in id order (ids follow commit order). */
  notificationsAfter(afterId: number, limit: number): Promise<NotificationRow[]>;
  /** The id of the last notification stored, 0 if none. */
  latestNotificationId(): Promise<number>;
  /** `recipient`'s notifications after id `afterId`, oldest first, at most `limit`. */
  notificationsOf(recipient: Address, afterId: number, limit: number): Promise<NotificationRow[]>;
  /**
   * Counts each refusal against the throttle of its patient and requester and, for those whose last
   * alert is at least `windowMs` old (or that have none), stores an `access-refused` notification to
   * the patient with `attempts` (the refusals since the last alert, this one included) and `since`
   * (the last alert's time, null for the first). One transaction; processes sharing the database
   * never both alert for one window. Resolves with the notifications stored.
   */
  addRefusalAlerts(
    refusals: RefusalAlertDraft[],
    now: number,
    windowMs: number,
    throughSequence?: number,
  ): Promise<NotificationRow[]>;
  /**
   * The sequence number of the last audit event whose refusals were alerted (`addRefusalAlerts` with
   * `throughSequence` moves it in the same transaction); -1 before the first.
   */
  refusalAlertCursor(): Promise<number>;
}

/** A refusal to count against its patient and requester's throttle; `data` is the alert's, but the counts. */
export interface RefusalAlertDraft {
  patient: Address;
  requester: Address;
  data: NotificationData;
}
