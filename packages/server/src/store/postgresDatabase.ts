/**
 * The gateway's PostgreSQL database, for organisations that outgrow one machine: a pool of
 * connections shared by every store. Statements are the stores' own, with their `$name`
 * parameters numbered for PostgreSQL; BIGINT columns are read as numbers (every value the gateway
 * keeps fits in 2^53). Migrations run under an advisory lock, so that processes starting together
 * apply each one once.
 */
import pg from 'pg';
import { migrations, schemaMigrationsTable } from './migrations.ts';
import type { SqlDatabase, SqlExecutor, SqlRow, SqlTransaction, SqlValue } from './sqlDatabase.ts';

/** The advisory lock key under which migrations run ("medledger" in ASCII, as a number). */
const migrationLockKey = 0x6d65646c6564;

const bigintOid = 20;

/** Whether `location` names a PostgreSQL database (`postgres://…` or `postgresql://…`). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/** Opens a pool to the database at `url` and brings its schema up to date. */
export async function openPostgresDatabase(url: string): Promise<PostgresDatabase> {
  const database = new PostgresDatabase(url);
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres';
  readonly #pool: pg.Pool;

  constructor(url: string) {
    this.#pool = new pg.Pool({
      connectionString: url,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === bigintOid ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection the server dropped is replaced by the pool; its error must not end the process.
    this.#pool.on('error', () => {});
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  run(sql: string, params?: SqlRow): Promise<{ changes: number }> {
    return runOn(this.#pool, sql, params);
  }

  all(sql: string, params?: SqlRow): Promise<SqlRow[]> {
    return allOn(this.#pool, sql, params);
  }

  async get(sql: string, params?: SqlRow): Promise<SqlRow | undefined> {
    return (await allOn(this.#pool, sql, params))[0];
  }

  jsonList(param: string, type: 'integer' | 'text'): string {
    return type === 'integer'
      ? `(SELECT value::bigint FROM json_array_elements_text($${param}::json) AS value)`
      : `(SELECT json_array_elements_text($${param}::json))`;
  }

  async transaction<T>(work: (transaction: SqlTransaction) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      try {
        const result = await work(this.#transactionOn(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    } finally {
      client.release();
    }
  }

  /** Applies the migrations the database has not recorded yet, all in one transaction. */
  async migrate(): Promise<void> {
    await this.transaction(async (transaction) => {
      await transaction.run(`SELECT pg_advisory_xact_lock(${migrationLockKey})`);
      await transaction.run(schemaMigrationsTable);
      const applied = new Set(
        (await transaction.all('SELECT version FROM schema_migrations')).map((row) => Number(row.version)),
      );
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await transaction.run(migration.postgres);
        await transaction.run('INSERT INTO schema_migrations VALUES ($version, $name, $at)', {
          version: migration.version,
          name: migration.name,
          at: Date.now(),
        });
      }
    });
  }

  #transactionOn(client: pg.PoolClient): SqlTransaction {
    const executor: SqlExecutor = {
      dialect: 'postgres',
      run: (sql, params) => runOn(client, sql, params),
      all: (sql, params) => allOn(client, sql, params),
      get: async (sql, params) => (await allOn(client, sql, params))[0],
      jsonList: (param, type) => this.jsonList(param, type),
    };
    return {
      ...executor,
      serialiseAppends: async (table) => {
        await client.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
      },
    };
  }
}

type Queryable = Pick<pg.Pool, 'query'>;

async function runOn(on: Queryable, sql: string, params?: SqlRow): Promise<{ changes: number }> {
  const { text, values } = positional(sql, params);
  const result = await on.query(text, values);
  return { changes: result.rowCount ?? 0 };
}

async function allOn(on: Queryable, sql: string, params?: SqlRow): Promise<SqlRow[]> {
  const { text, values } = positional(sql, params);
  return (await on.query(text, values)).rows as SqlRow[];
}

const numbered = new Map<string, { text: string; names: string[] }>();

/** `$name` parameters as PostgreSQL's `$1`, `$2`, … (a name used twice keeps its number). */
function positional(sql: string, params: SqlRow = {}): { text: string; values: unknown[] } {
  let statement = numbered.get(sql);
  if (!statement) {
    const names: string[] = [];
    const text = sql.replace(/\$([A-Za-z_]\w*)/g, (_, name: string) => {
      const index = names.indexOf(name);
      if (index >= 0) return `$${index + 1}`;
      names.push(name);
      return `$${names.length}`;
    });
    statement = { text, names };
    numbered.set(sql, statement);
  }
  return { text: statement.text, values: statement.names.map((name) => toPostgres(params[name])) };
}

function toPostgres(value: SqlValue | undefined): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  return value ?? null;
}
