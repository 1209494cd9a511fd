/**
 * The notifier: stores notifications per recipient (they survive restarts and wait for recipients
 * who are offline) and hands the new ones at once to the live streams open for their recipients.
 * Sources: chain events (`eventFollower.ts` with `notificationRules.ts`), access decisions allowed
 * under a grant (`grantUseNotifier`), the ends of emergencies (`emergencyWatcher.ts`), and refused
 * access (`refusalAlerts.ts`, through the audit log).
 */
import { categories } from '@medledger/core';
import type { Address } from 'viem';
import type { AccessDecision, AccessQuestion } from './accessControl.ts';
import type { Coordination } from './store/coordination.ts';
import type { NotificationDraft, NotificationRow, NotificationStore } from './store/notificationStore.ts';

export type Notifier = ReturnType<typeof createNotifier>;

type Listener = (notification: NotificationRow) => void;

export interface NotifierOptions {
  store: NotificationStore;
  /**
   * How processes sharing the store tell each other of new notifications. Each process hands every
   * new one, in id order, to its own live streams, whichever process stored it.
   */
  coordination: Pick<Coordination, 'announce' | 'onAnnouncement'>;
}

export function createNotifier({ store, coordination }: NotifierOptions) {
  const listeners = new Map<string, Set<Listener>>();
  const openStreams = new Set<() => void>();
  /** The last notification handed to the live streams; those stored before the notifier are not. */
  let delivered: Promise<number> = store.latestNotificationId().catch(() => 0);
  let delivering: Promise<void> = Promise.resolve();

  /** Hands the notifications stored since the last delivery to their live streams, in id order. */
  function deliverNew(): Promise<void> {
    delivering = delivering
      .then(async () => {
        let after = await delivered;
        for (;;) {
          const fresh = await store.notificationsAfter(after, 500);
          for (const notification of fresh) {
            for (const listener of listeners.get(notification.recipient) ?? []) listener(notification);
            after = notification.id;
          }
          delivered = Promise.resolve(after);
          if (fresh.length < 500) return;
        }
      })
      .catch(() => undefined); // the next announcement delivers what this run could not read
    return delivering;
  }
  coordination.onAnnouncement('notifications', () => void deliverNew());

  /** Stores the drafts not stored before (and moves the chain cursor); tells the live streams. */
  async function add(drafts: NotificationDraft[], toBlock?: number): Promise<NotificationRow[]> {
    const stored = await store.addNotifications(drafts, toBlock);
    if (stored.length) await coordination.announce('notifications');
    return stored;
  }

  /** Calls `listener` with each notification of `recipient` stored from now on; returns the unsubscribe. */
  function subscribe(recipient: Address, listener: Listener): () => void {
    const key = recipient.toLowerCase();
    let set = listeners.get(key);
    if (!set) {
      set = new Set();
      listeners.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size) listeners.delete(key);
    };
  }

  /** Registers a live stream's closer, so that `closeStreams` ends it; returns the unregister. */
  function trackStream(close: () => void): () => void {
    openStreams.add(close);
    return () => openStreams.delete(close);
  }

  /** Ends every live stream (the gateway is stopping; clients reconnect and resume). */
  function closeStreams(): void {
    for (const close of [...openStreams]) close();
  }

  return {
    add,
    subscribe,
    trackStream,
    closeStreams,
    list: (recipient: Address, afterId: number, limit: number) =>
      store.notificationsOf(recipient, afterId, limit),
    notifiedBlock: () => store.notifiedBlock(),
    rewindNotifiedBlock: (toBlock: number | null) => store.rewindNotifiedBlock(toBlock),
  };
}

/** A patient hears of a grant's use at most once per grant, reader and this period. */
const grantUsePeriodMs = 10 * 60_000;

/**
 * Tells patients when a member reads or writes under one of their grants: one notification per
 * grant, member, action and ten minutes, however many records it touches (the audit log has each
 * access).
 * Keys already stored are remembered, so repeated reads cost no database write.
 */
export function grantUseNotifier(notifier: Notifier, onError: (error: unknown) => void) {
  const recent = new Set<string>();
  return (question: AccessQuestion, decision: AccessDecision): void => {
    if (decision.grantId === 0n) return;
    const period = Math.floor(Date.now() / grantUsePeriodMs);
    const key = `grant-used:${decision.grantId}:${question.actor.toLowerCase()}:${question.action}:${period}`;
    if (recent.has(key)) return;
    if (recent.size > 10_000) recent.clear();
    recent.add(key);
    notifier
      .add([
        {
          recipient: question.patient,
          kind: 'grant-used',
          key,
          data: {
            grantId: Number(decision.grantId),
            actor: question.actor.toLowerCase(),
            action: question.action,
            category: categories[question.category] ?? null,
            recordId: question.recordId ?? null,
          },
        },
      ])
      .catch((error: unknown) => {
        recent.delete(key);
        onError(error);
      });
  };
}
