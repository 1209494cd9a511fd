/**
 * The gateway's one SQLite connection (`node:sqlite`, built into Node 24), shared by every store.
 *
 * WAL journal with `synchronous = FULL`: a transaction that returned is on disk, so an
 * acknowledged audit event or session survives a crash or a power cut. Statements run
 * synchronously on the one thread; while a transaction is open, statements from outside it wait
 * for its end, so that none runs inside another's transaction by accident.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { migrations, schemaMigrationsTable } from './migrations.ts';
import type { SqlDatabase, SqlRow, SqlTransaction } from './sqlDatabase.ts';

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite';
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  /** Settles when the open transaction ends; undefined when none is open. */
  #transactionEnd: Promise<void> | undefined;

  /** Opens `path` (or `:memory:`) and brings its schema up to date. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    this.#migrate();
  }

  async close(): Promise<void> {
    while (this.#transactionEnd) await this.#transactionEnd;
    if (this.#db.isOpen) this.#db.close();
  }

  async run(sql: string, params: SqlRow = {}): Promise<{ changes: number }> {
    while (this.#transactionEnd) await this.#transactionEnd;
    return this.#runNow(sql, params);
  }

  async all(sql: string, params: SqlRow = {}): Promise<SqlRow[]> {
    while (this.#transactionEnd) await this.#transactionEnd;
    return this.#allNow(sql, params);
  }

  async get(sql: string, params: SqlRow = {}): Promise<SqlRow | undefined> {
    while (this.#transactionEnd) await this.#transactionEnd;
    return this.#statement(sql).get(params) as SqlRow | undefined;
  }

  jsonList(param: string): string {
    return `(SELECT value FROM json_each($${param}))`;
  }

  async transaction<T>(work: (transaction: SqlTransaction) => Promise<T>): Promise<T> {
    while (this.#transactionEnd) await this.#transactionEnd;
    let end = () => {};
    this.#transactionEnd = new Promise((resolve) => {
      end = resolve;
    });
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.#transaction);
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        this.#db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.#transactionEnd = undefined;
      end();
    }
  }

  /** Statements of the open transaction: they run at once, never waiting for it to end. */
  readonly #transaction: SqlTransaction = {
    dialect: 'sqlite',
    run: async (sql, params = {}) => this.#runNow(sql, params),
    all: async (sql, params = {}) => this.#allNow(sql, params),
    get: async (sql, params = {}) => this.#statement(sql).get(params) as SqlRow | undefined,
    jsonList: (param) => this.jsonList(param),
    // BEGIN IMMEDIATE took the database's one write lock: appends are serialised already.
    serialiseAppends: async () => {},
  };

  #runNow(sql: string, params: SqlRow): { changes: number } {
    return { changes: Number(this.#statement(sql).run(params).changes) };
  }

  #allNow(sql: string, params: SqlRow): SqlRow[] {
    return this.#statement(sql).all(params) as SqlRow[];
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Applies, each in its own transaction, the migrations this database has not recorded yet. */
  #migrate(): void {
    const numbered = this.#tableExists('schema_migrations');
    if (!numbered) this.#adoptUnnumbered();
    this.#db.exec(schemaMigrationsTable);
    const applied = new Set(
      (this.#db.prepare('SELECT version FROM schema_migrations').all() as SqlRow[]).map((row) =>
        Number(row.version),
      ),
    );
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        this.#db.exec(migration.sqlite);
        this.#db
          .prepare('INSERT INTO schema_migrations VALUES ($version, $name, $at)')
          .run({ version: migration.version, name: migration.name, at: Date.now() });
        this.#db.exec('COMMIT');
      } catch (error) {
        this.#db.exec('ROLLBACK');
        throw error;
      }
    }
  }

  /**
   * A data directory written before migrations were numbered holds the tables of 0001, or some of
   * them, which 0001 leaves as they are; the one column such a database may lack is added here.
   */
  #adoptUnnumbered(): void {
    if (!this.#tableExists('sessions')) return;
    const columns = this.#db.prepare('PRAGMA table_info(sessions)').all() as { name: string }[];
    if (!columns.some((column) => column.name === 'signer')) {
      this.#db.exec('ALTER TABLE sessions ADD COLUMN signer TEXT');
    }
  }

  #tableExists(name: string): boolean {
    return (
      this.#db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $name`).get({ name }) !==
      undefined
    );
  }
}
