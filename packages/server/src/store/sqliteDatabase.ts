/**
 * The gateway's SQLite database (`node:sqlite`, built into Node 24), shared by every store: one
 * connection that writes, and for a database on disk one more that only reads.
 *
 * WAL journal with `synchronous = FULL`: a transaction that resolved is on disk, so an
 * acknowledged audit event or session survives a crash or a power cut.
 *
 * Group commit: transactions run one at a time, each in a savepoint of a database transaction that
 * stays open while more are waiting (at most `maxGroup` of them or `maxGroupMs`), and is committed,
 * with one fsync, when none is. A transaction resolves only once the commit that holds it is on
 * disk; one that fails is rolled back to its savepoint alone. Under load one fsync serves many
 * requests instead of one each.
 *
 * Reads outside a transaction go to the reading connection, which sees what is committed and never
 * waits for the writer (WAL). An in-memory database has one connection only: its reads wait until
 * the open group is committed, so that none sees what might still be rolled back.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { migrations, schemaMigrationsTable } from './migrations.ts';
import type { SqlDatabase, SqlRow, SqlTransaction } from './sqlDatabase.ts';

/** How long a transaction waits for another connection's write lock before it fails. */
const lockWaitMs = 5_000;
/** SQLITE_BUSY: another connection holds the lock. */
const sqliteBusy = 5;

/** Transactions one commit may hold at most. */
const maxGroup = 256;
/** How long a group may stay open while transactions keep coming. */
const maxGroupMs = 20;

/** A database transaction holding the savepoints of several transactions, committed once. */
interface Group {
  openedAt: number;
  size: number;
  /** Settles when the group is committed (or rejects when the commit failed). */
  committed: Promise<void>;
  settle(error?: unknown): void;
}

/**
 * Whether `sql` only reads: a SELECT (or WITH … SELECT) without RETURNING. Anything else (an
 * INSERT … RETURNING read with `get`) runs as a transaction of its own on the writing connection.
 */
function isQuery(sql: string): boolean {
  return (
    /^\s*(SELECT|WITH)\b/i.test(sql) &&
    !/\bRETURNING\b/i.test(sql) &&
    !/\b(INSERT|UPDATE|DELETE)\b/i.test(sql)
  );
}

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite';
  readonly #db: DatabaseSync;
  /** The reading connection; the writing one for an in-memory database. */
  readonly #reader: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #readStatements = new Map<string, StatementSync>();
  /** The group being filled, or undefined when no database transaction is open. */
  #group: Group | undefined;
  /** Whether a transaction's work runs now; the others wait in `#waiting`, in order. */
  #busy = false;
  readonly #waiting: (() => void)[] = [];
  #commitScheduled = false;

  /** Opens `path` (or `:memory:`) and brings its schema up to date. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    // Deleted and overwritten content is zeroed, not left in free space (rows sealed in place, `atRest.ts`).
    this.#db.exec('PRAGMA secure_delete = ON;');
    this.#migrate();
    // From here on, waiting for another connection's write lock is done by `#begin`, without
    // blocking the event loop (see there).
    this.#db.exec('PRAGMA busy_timeout = 0;');
    if (path === ':memory:') {
      this.#reader = this.#db;
    } else {
      this.#reader = new DatabaseSync(path, { readOnly: true });
      this.#reader.exec('PRAGMA busy_timeout = 5000;');
    }
  }

  /**
   * Copies the WAL into the database file and empties it, so that no older version of a page stays
   * in either file (after rows were rewritten in place).
   */
  async checkpoint(): Promise<void> {
    while (this.#busy || this.#group) await this.#idle();
    this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE);');
  }

  async close(): Promise<void> {
    while (this.#busy || this.#group) await this.#idle();
    if (this.#reader !== this.#db && this.#reader.isOpen) this.#reader.close();
    if (this.#db.isOpen) this.#db.close();
  }

  /** A statement outside any transaction: a transaction of its own (and so in the next commit). */
  run(sql: string, params: SqlRow = {}): Promise<{ changes: number }> {
    return this.transaction((transaction) => transaction.run(sql, params));
  }

  async all(sql: string, params: SqlRow = {}): Promise<SqlRow[]> {
    if (!isQuery(sql)) return this.transaction((transaction) => transaction.all(sql, params));
    await this.#readable();
    return this.#readStatement(sql).all(params) as SqlRow[];
  }

  async get(sql: string, params: SqlRow = {}): Promise<SqlRow | undefined> {
    if (!isQuery(sql)) return this.transaction((transaction) => transaction.get(sql, params));
    await this.#readable();
    return this.#readStatement(sql).get(params) as SqlRow | undefined;
  }

  jsonList(param: string): string {
    return `(SELECT value FROM json_each($${param}))`;
  }

  async transaction<T>(work: (transaction: SqlTransaction) => Promise<T>): Promise<T> {
    await this.#takeTurn();
    let group: Group;
    let result: T;
    try {
      group = await this.#groupToJoin();
      group.size += 1;
      this.#db.exec('SAVEPOINT work');
      try {
        result = await work(this.#transaction);
        this.#db.exec('RELEASE work');
      } catch (error) {
        this.#db.exec('ROLLBACK TO work');
        this.#db.exec('RELEASE work');
        throw error;
      }
    } finally {
      this.#endTurn();
    }
    await group.committed;
    return result;
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

  /** The open group if it may take one more transaction, else a new one (committing the old). */
  async #groupToJoin(): Promise<Group> {
    const open = this.#group;
    if (open && open.size < maxGroup && Date.now() - open.openedAt < maxGroupMs) return open;
    if (open) this.#commit();
    await this.#begin();
    let settle: (error?: unknown) => void = () => {};
    const committed = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // A group whose every transaction failed is committed empty; nobody awaits it then.
    committed.catch(() => undefined);
    this.#group = { openedAt: Date.now(), size: 0, committed, settle };
    return this.#group;
  }

  /**
   * BEGIN IMMEDIATE, waiting up to `lockWaitMs` while another connection holds the write lock (a
   * tool, or a test, with the file open). SQLite's own busy wait would block the event loop, and
   * with it the other connection's commit when it lives in this process: a deadlock. This waits
   * between attempts instead.
   */
  async #begin(): Promise<void> {
    const deadline = Date.now() + lockWaitMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
      try {
        this.#db.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        const busy = (error as { errcode?: number }).errcode === sqliteBusy;
        if (!busy || Date.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  async #takeTurn(): Promise<void> {
    if (!this.#busy) {
      this.#busy = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /**
   * Hands the turn to the next waiting transaction (in the same group), or, when none waits,
   * commits the group once the event loop has run what it has at hand: requests that arrived
   * meanwhile join it.
   */
  #endTurn(): void {
    const next = this.#waiting.shift();
    if (next) {
      next(); // #busy stays true: the turn passes on
      return;
    }
    this.#busy = false;
    if (this.#group && !this.#commitScheduled) {
      this.#commitScheduled = true;
      setImmediate(() => {
        this.#commitScheduled = false;
        if (!this.#busy) this.#commit();
      });
    }
  }

  /** Commits the open group (one fsync) and settles its transactions. */
  #commit(): void {
    const group = this.#group;
    if (!group) return;
    this.#group = undefined;
    try {
      this.#db.exec('COMMIT');
      group.settle();
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      group.settle(error);
    }
  }

  /** Resolves when no transaction runs and no group is open. */
  async #idle(): Promise<void> {
    if (this.#group && !this.#busy) {
      this.#commit();
      return;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Reads on the one connection of an in-memory database wait until nothing uncommitted is open. */
  async #readable(): Promise<void> {
    if (this.#reader !== this.#db) return;
    while (this.#busy || this.#group) await this.#idle();
  }

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

  #readStatement(sql: string): StatementSync {
    if (this.#reader === this.#db) return this.#statement(sql);
    let statement = this.#readStatements.get(sql);
    if (!statement) {
      statement = this.#reader.prepare(sql);
      this.#readStatements.set(sql, statement);
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
