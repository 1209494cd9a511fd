/**
 * Record derivations on SQL (SQLite or PostgreSQL). The indexer writes them with
 * `applyDerivationRows`, inside the transaction that moves its cursor; ids in lower case.
 */
import type { Address, Hex } from 'viem';
import type { DerivationRow, DerivationStore } from './derivationStore.ts';
import type { SqlDatabase, SqlExecutor, SqlRow } from './sqlDatabase.ts';

const lower = <T extends string>(value: T) => value.toLowerCase() as T;

/** Stores derivations in chain order (a replayed range changes nothing: rows are keyed by the new record). */
export async function applyDerivationRows(tx: SqlExecutor, rows: readonly DerivationRow[]): Promise<void> {
  for (const row of rows) {
    await tx.run(
      `INSERT INTO record_derivations VALUES ($recordId, $kind, $sourceId, $by, $toOrganisation, $block, $log, $tx)
       ON CONFLICT (record_id) DO NOTHING`,
      {
        recordId: lower(row.recordId),
        kind: row.kind,
        sourceId: lower(row.sourceId),
        by: lower(row.by),
        toOrganisation: row.toOrganisation,
        block: row.blockNumber,
        log: row.logIndex,
        tx: lower(row.transactionHash),
      },
    );
  }
}

export class SqlDerivationStore implements DerivationStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async derivation(recordId: Hex): Promise<DerivationRow | undefined> {
    const row = await this.#db.get('SELECT * FROM record_derivations WHERE record_id = $id', {
      id: lower(recordId),
    });
    return row ? toDerivation(row) : undefined;
  }

  async derivationsOf(sourceId: Hex): Promise<DerivationRow[]> {
    const rows = await this.#db.all(
      'SELECT * FROM record_derivations WHERE source_id = $id ORDER BY block_number, log_index',
      { id: lower(sourceId) },
    );
    return rows.map(toDerivation);
  }
}

function toDerivation(row: SqlRow): DerivationRow {
  return {
    recordId: row.record_id as Hex,
    kind: Number(row.kind),
    sourceId: row.source_id as Hex,
    by: row.by_address as Address,
    toOrganisation: Number(row.to_organisation),
    blockNumber: Number(row.block_number),
    logIndex: Number(row.log_index),
    transactionHash: row.transaction_hash as Hex,
  };
}
