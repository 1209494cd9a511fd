/**
 * A connection to the gateway's SQLite file for the stores that keep their own tables in it
 * (emergencies, notifications): the same pragmas as the main store (WAL, `synchronous = FULL`),
 * prepared statements kept, and transactions. Statements run synchronously on the one thread, so
 * connections never wait on each other's transactions.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';

export type SqliteRow = Record<string, SQLInputValue>;

export class SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  /** Opens `path` (or `:memory:`) and creates the tables of `schema` when missing. */
  constructor(path: string, schema: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    this.#db.exec(schema);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  run(sql: string, params: SqliteRow = {}): { changes: number } {
    const { changes } = this.#statement(sql).run(params);
    return { changes: Number(changes) };
  }

  all(sql: string, params: SqliteRow = {}): SqliteRow[] {
    return this.#statement(sql).all(params) as SqliteRow[];
  }

  get(sql: string, params: SqliteRow = {}): SqliteRow | undefined {
    return this.#statement(sql).get(params) as SqliteRow | undefined;
  }

  /** Runs `work` in one write transaction: all of it is committed, or none. */
  transaction<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
