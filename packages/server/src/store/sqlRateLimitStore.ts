/** Rate-limit windows on SQL (SQLite or PostgreSQL): one upsert per hit. */
import type { RateLimitStore, RateLimitWindow } from './rateLimitStore.ts';
import type { SqlDatabase } from './sqlDatabase.ts';

export class SqlRateLimitStore implements RateLimitStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async countRateLimitHit(key: string, windowMs: number, now: number): Promise<RateLimitWindow> {
    // SET sees the row as it was: a window begun at or before the cutoff starts again at `now`.
    const row = await this.#db.get(
      `INSERT INTO rate_limit_windows (key, window_start, hits) VALUES ($key, $now, 1)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limit_windows.window_start <= $cutoff THEN 1 ELSE rate_limit_windows.hits + 1 END,
         window_start = CASE WHEN rate_limit_windows.window_start <= $cutoff THEN $now
                             ELSE rate_limit_windows.window_start END
       RETURNING hits, window_start`,
      { key, now, cutoff: now - windowMs },
    );
    return { hits: Number(row?.hits ?? 1), windowStart: Number(row?.window_start ?? now) };
  }

  async deleteRateLimitWindows(before: number): Promise<number> {
    return (await this.#db.run('DELETE FROM rate_limit_windows WHERE window_start < $before', { before }))
      .changes;
  }
}
