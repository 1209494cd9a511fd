/**
 * The one connection (SQLite) or pool (PostgreSQL) through which every store of a gateway reaches
 * its database. Statements are written once with `$name` parameters, in the SQL both databases
 * understand; where they differ, the database gives the fragment (`jsonList`) or the step
 * (`serialiseAppends`). Integers come back as numbers from SQLite and as strings from PostgreSQL's
 * BIGINT, so readers convert them with `Number`.
 */

/** A value bound to a `$name` parameter or read from a column. */
export type SqlValue = string | number | bigint | null | Uint8Array;

export type SqlRow = Record<string, SqlValue>;

/** Statements run on a database, or inside one of its transactions. */
export interface SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs a statement; resolves with how many rows it changed. */
  run(sql: string, params?: SqlRow): Promise<{ changes: number }>;
  all(sql: string, params?: SqlRow): Promise<SqlRow[]>;
  get(sql: string, params?: SqlRow): Promise<SqlRow | undefined>;
  /**
   * The SQL of a subquery listing the elements of the JSON array bound to `$param` (a string such
   * as `'[1,2]'`), typed `integer` or `text`: `column IN ${db.jsonList('ids', 'integer')}`.
   */
  jsonList(param: string, type: 'integer' | 'text'): string;
}

/** A transaction: its statements are committed together, or none of them. */
export interface SqlTransaction extends SqlExecutor {
  /**
   * Makes other transactions that append to `table` wait until this one ends, so that numbers taken
   * from the table (its largest key plus one) are taken in commit order, without gaps.
   */
  serialiseAppends(table: string): Promise<void>;
}

export interface SqlDatabase extends SqlExecutor {
  /**
   * Runs `work` in one write transaction: all of it is committed, or none. Statements of `work`
   * go through the transaction it is given; other statements wait for it (SQLite) or run apart
   * (PostgreSQL).
   */
  transaction<T>(work: (transaction: SqlTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Whether `id` can name a stored row: ids are kept as 64-bit integers, and an id from a request may
 * be any decimal number (a chain id is uint256). Lookups answer "none" for the others rather than
 * failing in the database.
 */
export function isStorableId(id: number): boolean {
  return Number.isSafeInteger(id) && id >= 0;
}
