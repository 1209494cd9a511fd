/** The notification store on SQLite, in the gateway's database file. */
import type { Address } from 'viem';
import type {
  NotificationData,
  NotificationDraft,
  NotificationRow,
  NotificationStore,
} from './notificationStore.ts';
import { SqliteDatabase, type SqliteRow } from './sqliteDatabase.ts';

const schema = `
CREATE TABLE IF NOT EXISTS notification_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT, dedupe_key TEXT NOT NULL UNIQUE, recipient TEXT NOT NULL,
  kind TEXT NOT NULL, created_at INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notifications_by_recipient ON notifications (recipient, id);
`;

export class SqliteNotificationStore implements NotificationStore {
  readonly #db: SqliteDatabase;

  constructor(path: string) {
    this.#db = new SqliteDatabase(path, schema);
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  async rewindNotifiedBlock(toBlock: number | null): Promise<void> {
    if (toBlock === null) {
      this.#db.run(`DELETE FROM notification_meta WHERE key = 'notified_block'`);
      return;
    }
    this.#db.run(
      `UPDATE notification_meta SET value = $block WHERE key = 'notified_block' AND CAST(value AS INTEGER) > $block`,
      { block: toBlock },
    );
  }

  async notifiedBlock(): Promise<number | null> {
    const row = this.#db.get(`SELECT value FROM notification_meta WHERE key = 'notified_block'`);
    return row ? Number(row.value) : null;
  }

  async addNotifications(drafts: NotificationDraft[], toBlock?: number): Promise<NotificationRow[]> {
    if (!drafts.length && toBlock === undefined) return [];
    const createdAt = Date.now();
    return this.#db.transaction(() => {
      const stored: NotificationRow[] = [];
      for (const draft of drafts) {
        const row = this.#db.get(
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
        this.#db.run(
          `INSERT INTO notification_meta VALUES ('notified_block', $block)
           ON CONFLICT (key) DO UPDATE SET value = $block`,
          { block: String(toBlock) },
        );
      }
      return stored;
    });
  }

  async notificationsOf(recipient: Address, afterId: number, limit: number): Promise<NotificationRow[]> {
    return this.#db
      .all(
        `SELECT * FROM notifications WHERE recipient = $recipient AND id > $after ORDER BY id LIMIT $limit`,
        { recipient: recipient.toLowerCase(), after: afterId, limit },
      )
      .map(toNotification);
  }
}

function toNotification(row: SqliteRow): NotificationRow {
  return {
    id: Number(row.id),
    recipient: row.recipient as Address,
    kind: String(row.kind),
    createdAt: Number(row.created_at),
    data: JSON.parse(String(row.data)) as NotificationData,
  };
}
