/**
 * The relay journal on SQLite (see `@medledger/ledger`'s `ActionJournal`), in the gateway's
 * database. Appends and "mined" marks that arrive in the same tick are committed in one
 * transaction (group commit, `synchronous = FULL`): each caller resolves once its write is on disk,
 * and a burst of relayed actions costs one disk sync.
 */
import type { ActionJournal, ActionOutcome, JournalEntry, MinedAt, NewJournalEntry } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import { SqliteDatabase, type SqliteRow } from './sqliteDatabase.ts';

const schema = `
CREATE TABLE IF NOT EXISTS relay_journal (
  id INTEGER PRIMARY KEY AUTOINCREMENT, to_address TEXT NOT NULL, data TEXT NOT NULL, gas TEXT NOT NULL,
  function_name TEXT NOT NULL, author TEXT, journaled_at INTEGER NOT NULL,
  status TEXT NOT NULL, transaction_hash TEXT, block_number INTEGER, block_hash TEXT,
  outcome TEXT, detail TEXT, settled_at INTEGER);
CREATE INDEX IF NOT EXISTS relay_journal_pending ON relay_journal (status, id);
CREATE INDEX IF NOT EXISTS relay_journal_mined ON relay_journal (status, block_number);
`;

type Write = () => void;

export class SqliteActionJournal implements ActionJournal {
  readonly #db: SqliteDatabase;
  #queued: { write: Write; settle: (error?: unknown) => void }[] = [];

  constructor(path: string) {
    this.#db = new SqliteDatabase(path, schema);
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  append(entry: NewJournalEntry): Promise<number> {
    let id = 0;
    return this.#grouped(() => {
      this.#db.run(
        `INSERT INTO relay_journal (to_address, data, gas, function_name, author, journaled_at, status)
         VALUES ($to, $data, $gas, $fn, $author, $at, 'pending')`,
        {
          to: entry.to.toLowerCase(),
          data: entry.data,
          gas: entry.gas.toString(),
          fn: entry.functionName,
          author: entry.author?.toLowerCase() ?? null,
          at: Date.now(),
        },
      );
      id = Number(this.#db.get('SELECT last_insert_rowid() AS id')?.id);
    }).then(() => id);
  }

  sent(id: number, transactionHash: Hex): Promise<void> {
    // A hint only: losing it in a crash means recovery sends the action again, which is safe.
    return this.#grouped(() => {
      this.#db.run(
        `UPDATE relay_journal SET transaction_hash = $hash WHERE id = $id AND status = 'pending'`,
        {
          id,
          hash: transactionHash,
        },
      );
    });
  }

  mined(id: number, at: MinedAt): Promise<void> {
    return this.#grouped(() => {
      this.#db.run(
        `UPDATE relay_journal SET status = 'mined', transaction_hash = $hash, block_number = $block,
           block_hash = $blockHash, outcome = NULL, detail = NULL WHERE id = $id`,
        { id, hash: at.transactionHash, block: at.blockNumber, blockHash: at.blockHash },
      );
    });
  }

  async settle(id: number, outcome: ActionOutcome, detail: string): Promise<void> {
    this.#db.run(
      `UPDATE relay_journal SET status = 'settled', outcome = $outcome, detail = $detail, settled_at = $at,
         block_number = NULL, block_hash = NULL WHERE id = $id`,
      { id, outcome, detail, at: Date.now() },
    );
  }

  async pending(): Promise<JournalEntry[]> {
    return this.#db.all(`SELECT * FROM relay_journal WHERE status = 'pending' ORDER BY id`).map(entryOf);
  }

  async minedBefore(beforeBlock: number, limit: number): Promise<JournalEntry[]> {
    return this.#db
      .all(
        `SELECT * FROM relay_journal WHERE status = 'mined' AND block_number < $before
         ORDER BY block_number DESC, id DESC LIMIT $limit`,
        { before: beforeBlock, limit },
      )
      .map(entryOf);
  }

  async latestMined(): Promise<JournalEntry | undefined> {
    const row = this.#db.get(
      `SELECT * FROM relay_journal WHERE status = 'mined' ORDER BY block_number DESC, id DESC LIMIT 1`,
    );
    return row ? entryOf(row) : undefined;
  }

  /** How many entries are journaled but not known to be mined. */
  async pendingCount(): Promise<number> {
    return Number(this.#db.get(`SELECT count(*) AS n FROM relay_journal WHERE status = 'pending'`)?.n ?? 0);
  }

  /** Queues `write` into the next group commit; resolves once that commit is on disk. */
  #grouped(write: Write): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queued.push({ write, settle: (error) => (error ? reject(error) : resolve()) });
      if (this.#queued.length === 1) setImmediate(() => this.#commit());
    });
  }

  #commit(): void {
    const batch = this.#queued;
    this.#queued = [];
    try {
      this.#db.transaction(() => {
        for (const item of batch) item.write();
      });
      for (const item of batch) item.settle();
    } catch (error) {
      for (const item of batch) item.settle(error);
    }
  }
}

function entryOf(row: SqliteRow): JournalEntry {
  return {
    id: Number(row.id),
    to: row.to_address as Address,
    data: row.data as Hex,
    gas: BigInt(row.gas as string),
    functionName: row.function_name as string,
    author: (row.author as Address | null) ?? null,
    status: row.status === 'mined' ? 'mined' : 'pending',
    transactionHash: (row.transaction_hash as Hex | null) ?? null,
    blockNumber: row.block_number === null ? null : Number(row.block_number),
    blockHash: (row.block_hash as Hex | null) ?? null,
  };
}
