/** The notification store on SQL (SQLite or PostgreSQL), in the gateway's database. */
import { randomUUID } from 'node:crypto';
import type { Address } from 'viem';
import type {
  NotificationData,
  NotificationDraft,
  NotificationRow,
  NotificationStore,
  RefusalAlertDraft,
} from './notificationStore.ts';
import type { SqlDatabase, SqlRow, SqlTransaction } from './sqlDatabase.ts';

export class SqlNotificationStore implements NotificationStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async rewindNotifiedBlock(toBlock: number | null): Promise<void> {
    if (toBlock === null) {
      await this.#db.run(`DELETE FROM notification_meta WHERE key = 'notified_block'`);
      return;
    }
    await this.#db.run(
      `UPDATE notification_meta SET value = $block WHERE key = 'notified_block' AND CAST(value AS BIGINT) > $block`,
      { block: toBlock },
    );
  }

  async notifiedBlock(): Promise<number | null> {
    const row = await this.#db.get(`SELECT value FROM notification_meta WHERE key = 'notified_block'`);
    return row ? Number(row.value) : null;
  }

  async addNotifications(drafts: NotificationDraft[], toBlock?: number): Promise<NotificationRow[]> {
    if (!drafts.length && toBlock === undefined) return [];
    const createdAt = Date.now();
    return this.#db.transaction(async (tx) => {
      const stored = await this.#insert(tx, drafts, createdAt);
      if (toBlock !== undefined) {
        await tx.run(
          `INSERT INTO notification_meta VALUES ('notified_block', $block)
           ON CONFLICT (key) DO UPDATE SET value = $block`,
          { block: String(toBlock) },
        );
      }
      return stored;
    });
  }

  async addRefusalAlerts(
    refusals: RefusalAlertDraft[],
    now: number,
    windowMs: number,
    throughSequence?: number,
  ): Promise<NotificationRow[]> {
    if (!refusals.length && throughSequence === undefined) return [];
    return this.#db.transaction(async (tx) => {
      if (throughSequence !== undefined) {
        // Moved with the alerts, so that audit events are alerted once: a run that stopped before
        // this commit is done again from the same cursor.
        await tx.run(
          'UPDATE refusal_alert_cursor SET last_seq = $through WHERE id = 1 AND last_seq < $through',
          {
            through: throughSequence,
          },
        );
      }
      const due: NotificationDraft[] = [];
      // In one order of pairs in every transaction (their rows are locked as they are updated), so
      // that two processes' transactions never wait on each other; a pair's refusals keep their order.
      const pairOf = (refusal: RefusalAlertDraft) => `${refusal.patient}:${refusal.requester}`.toLowerCase();
      const ordered = [...refusals].sort((a, b) =>
        pairOf(a) < pairOf(b) ? -1 : pairOf(a) > pairOf(b) ? 1 : 0,
      );
      for (const refusal of ordered) {
        const token = randomUUID();
        // One statement decides: a new pair, or a last alert older than the window, sends (the row
        // takes this refusal's token); otherwise the refusal is counted for the next alert.
        const sends = `refusal_alerts.notified_at <= $due`;
        const row = await tx.get(
          `INSERT INTO refusal_alerts
             (patient, requester, notified_at, previous_notified_at, reported, unreported, notice_token)
           VALUES ($patient, $requester, $now, NULL, 1, 0, $token)
           ON CONFLICT (patient, requester) DO UPDATE SET
             previous_notified_at =
               CASE WHEN ${sends} THEN refusal_alerts.notified_at ELSE refusal_alerts.previous_notified_at END,
             reported = CASE WHEN ${sends} THEN refusal_alerts.unreported + 1 ELSE refusal_alerts.reported END,
             unreported = CASE WHEN ${sends} THEN 0 ELSE refusal_alerts.unreported + 1 END,
             notice_token = CASE WHEN ${sends} THEN $token ELSE refusal_alerts.notice_token END,
             notified_at = CASE WHEN ${sends} THEN $now ELSE refusal_alerts.notified_at END
           RETURNING notice_token, reported, previous_notified_at`,
          {
            patient: refusal.patient.toLowerCase(),
            requester: refusal.requester.toLowerCase(),
            now,
            due: now - windowMs,
            token,
          },
        );
        if (row?.notice_token !== token) continue;
        const since = row.previous_notified_at === null ? null : Number(row.previous_notified_at);
        due.push({
          recipient: refusal.patient.toLowerCase() as Address,
          kind: 'access-refused',
          key: `access-refused:${token}`,
          data: { ...refusal.data, attempts: Number(row.reported), since },
        });
      }
      return due.length ? this.#insert(tx, due, now) : [];
    });
  }

  async refusalAlertCursor(): Promise<number> {
    const row = await this.#db.get('SELECT last_seq FROM refusal_alert_cursor WHERE id = 1');
    return row ? Number(row.last_seq) : -1;
  }

  async notificationsOf(recipient: Address, afterId: number, limit: number): Promise<NotificationRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM notifications WHERE recipient = $recipient AND id > $after ORDER BY id LIMIT $limit',
      { recipient: recipient.toLowerCase(), after: afterId, limit },
    );
    return rows.map(toNotification);
  }

  async notificationsAfter(afterId: number, limit: number): Promise<NotificationRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM notifications WHERE id > $after ORDER BY id LIMIT $limit',
      {
        after: afterId,
        limit,
      },
    );
    return rows.map(toNotification);
  }

  /** Stores the drafts whose key is new, in commit order (see `notificationsAfter`). */
  async #insert(
    tx: SqlTransaction,
    drafts: NotificationDraft[],
    createdAt: number,
  ): Promise<NotificationRow[]> {
    // Ids in commit order, also across processes: a stream that delivered id N never meets a
    // smaller id committed later.
    await tx.serialiseAppends('notifications');
    const stored: NotificationRow[] = [];
    for (const draft of drafts) {
      const row = await tx.get(
        `INSERT INTO notifications (dedupe_key, recipient, kind, created_at, data)
         VALUES ($key, $recipient, $kind, $at, $data) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
        {
          key: draft.key,
          recipient: draft.recipient.toLowerCase(),
          kind: draft.kind,
          at: createdAt,
          data: JSON.stringify(draft.data),
        },
      );
      if (row) {
        stored.push({
          id: Number(row.id),
          recipient: draft.recipient.toLowerCase() as Address,
          kind: draft.kind,
          createdAt,
          data: draft.data,
        });
      }
    }
    return stored;
  }

  async latestNotificationId(): Promise<number> {
    const row = await this.#db.get('SELECT MAX(id) AS id FROM notifications');
    return Number(row?.id ?? 0);
  }
}

function toNotification(row: SqlRow): NotificationRow {
  return {
    id: Number(row.id),
    recipient: row.recipient as Address,
    kind: String(row.kind),
    createdAt: Number(row.created_at),
    data: JSON.parse(String(row.data)) as NotificationData,
  };
}
