/** The notification store on SQL (SQLite or PostgreSQL), in the gateway's database. */
import type { Address } from 'viem';
import type {
  NotificationData,
  NotificationDraft,
  NotificationRow,
  NotificationStore,
} from './notificationStore.ts';
import type { SqlDatabase, SqlRow } from './sqlDatabase.ts';

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
