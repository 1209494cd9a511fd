/**
 * Delegates on SQL (SQLite or PostgreSQL). The indexer writes them with `applyDelegateEvents`, inside
 * the transaction that moves its cursor; addresses are stored in lower case.
 */
import type { Address, Hex } from 'viem';
import type { DelegateEvent, DelegateRow, DelegateStore } from './delegateStore.ts';
import type { SqlDatabase, SqlExecutor, SqlRow } from './sqlDatabase.ts';

const lower = <T extends string>(value: T) => value.toLowerCase() as T;

/** Applies Delegates events in chain order (a replayed range ends in the same rows). */
export async function applyDelegateEvents(tx: SqlExecutor, events: readonly DelegateEvent[]): Promise<void> {
  for (const event of events) {
    const key = { patient: lower(event.patient), delegate: lower(event.delegate) };
    if (event.type === 'removed') {
      await tx.run('UPDATE delegates SET active = 0 WHERE patient = $patient AND delegate = $delegate', key);
      continue;
    }
    await tx.run(
      `INSERT INTO delegates VALUES ($patient, $delegate, $kind, $limit, $key, 1, $block)
       ON CONFLICT (patient, delegate) DO UPDATE SET kind = $kind, category_limit = $limit, encryption_key = $key,
         active = 1, added_at_block = $block`,
      {
        ...key,
        kind: event.kind,
        limit: event.categoryLimit,
        key: lower(event.encryptionKey),
        block: event.addedAtBlock,
      },
    );
  }
}

export class SqlDelegateStore implements DelegateStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async delegatesOfPatient(patient: Address): Promise<DelegateRow[]> {
    const rows = await this.#db.all('SELECT * FROM delegates WHERE patient = $patient ORDER BY delegate', {
      patient: lower(patient),
    });
    return rows.map(toDelegate);
  }

  async delegationsTo(delegate: Address): Promise<DelegateRow[]> {
    const rows = await this.#db.all('SELECT * FROM delegates WHERE delegate = $delegate ORDER BY patient', {
      delegate: lower(delegate),
    });
    return rows.map(toDelegate);
  }
}

function toDelegate(row: SqlRow): DelegateRow {
  return {
    patient: row.patient as Address,
    delegate: row.delegate as Address,
    kind: Number(row.kind),
    categoryLimit: Number(row.category_limit),
    encryptionKey: row.encryption_key as Hex,
    active: Number(row.active) === 1,
    addedAtBlock: Number(row.added_at_block),
  };
}
