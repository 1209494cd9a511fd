/**
 * The relay journal on SQL (SQLite or PostgreSQL; see `@medledger/ledger`'s `ActionJournal`), in the
 * gateway's database. Appends and "mined" marks that arrive in the same tick are committed in one
 * transaction (group commit, `synchronous = FULL`): each caller resolves once its write is on disk,
 * and a burst of relayed actions costs one disk sync.
 *
 * Each entry names the process that journaled it (`owner`): its waiter lives there. Recovery takes
 * the pending entries of its own process and of processes that have ended, never those of a live
 * process sharing the store (which sends and confirms them itself).
 */
import type { ActionJournal, ActionOutcome, JournalEntry, MinedAt, NewJournalEntry } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import type { Coordination } from './coordination.ts';
import type { SqlDatabase, SqlExecutor, SqlRow } from './sqlDatabase.ts';

type Write = (transaction: SqlExecutor) => Promise<void>;

export class SqlActionJournal implements ActionJournal {
  readonly #db: SqlDatabase;
  readonly #coordination: Coordination;
  #queued: { write: Write; settle: (error?: unknown) => void }[] = [];

  constructor(db: SqlDatabase, coordination: Coordination) {
    this.#db = db;
    this.#coordination = coordination;
  }

  append(entry: NewJournalEntry): Promise<number> {
    let id = 0;
    return this.#grouped(async (tx) => {
      const row = await tx.get(
        `INSERT INTO relay_journal (to_address, data, gas, function_name, author, journaled_at, status, owner)
         VALUES ($to, $data, $gas, $fn, $author, $at, 'pending', $owner) RETURNING id`,
        {
          to: entry.to.toLowerCase(),
          data: entry.data,
          gas: entry.gas.toString(),
          fn: entry.functionName,
          author: entry.author?.toLowerCase() ?? null,
          at: Date.now(),
          owner: this.#coordination.processId(),
        },
      );
      id = Number(row?.id);
    }).then(() => id);
  }

  sent(id: number, transactionHash: Hex): Promise<void> {
    // A hint only: losing it in a crash means recovery sends the action again, which is safe.
    return this.#grouped(async (tx) => {
      await tx.run(
        `UPDATE relay_journal SET transaction_hash = $hash WHERE id = $id AND status = 'pending'`,
        {
          id,
          hash: transactionHash,
        },
      );
    });
  }

  mined(id: number, at: MinedAt, options: { ifPending?: boolean } = {}): Promise<boolean> {
    let marked = false;
    return this.#grouped(async (tx) => {
      const { changes } = await tx.run(
        `UPDATE relay_journal SET status = 'mined', transaction_hash = $hash, block_number = $block,
           block_hash = $blockHash, outcome = NULL, detail = NULL
         WHERE id = $id${options.ifPending ? ` AND status = 'pending'` : ''}`,
        { id, hash: at.transactionHash, block: at.blockNumber, blockHash: at.blockHash },
      );
      marked = changes > 0;
    }).then(() => marked);
  }

  async settle(id: number, outcome: ActionOutcome, detail: string): Promise<void> {
    await this.#db.run(
      `UPDATE relay_journal SET status = 'settled', outcome = $outcome, detail = $detail, settled_at = $at,
         block_number = NULL, block_hash = NULL WHERE id = $id`,
      { id, outcome, detail, at: Date.now() },
    );
  }

  /**
   * The pending entries this process answers for, in id order: its own, after taking over those of
   * processes that have ended (and of journals older than process ids).
   */
  async pending(): Promise<JournalEntry[]> {
    const me = this.#coordination.processId();
    await this.#adoptEnded(me);
    const rows = await this.#db.all(
      `SELECT * FROM relay_journal WHERE status = 'pending' AND owner = $me ORDER BY id`,
      { me },
    );
    return rows.map(entryOf);
  }

  async orphaned(): Promise<JournalEntry[]> {
    const me = this.#coordination.processId();
    const ids = await this.#adoptEnded(me);
    if (!ids.length) return [];
    const rows = await this.#db.all(
      `SELECT * FROM relay_journal WHERE status = 'pending' AND owner = $me AND id IN ${this.#db.jsonList('ids', 'integer')}
       ORDER BY id`,
      { me, ids: JSON.stringify(ids) },
    );
    return rows.map(entryOf);
  }

  /** Makes `me` the owner of the pending entries of processes that have ended; resolves with their ids. */
  async #adoptEnded(me: number): Promise<number[]> {
    const adopted: number[] = [];
    const others = await this.#db.all(
      `SELECT DISTINCT owner FROM relay_journal WHERE status = 'pending' AND (owner IS NULL OR owner <> $me)`,
      { me },
    );
    for (const { owner } of others) {
      if (owner !== null && (await this.#coordination.isAlive(Number(owner)))) continue;
      // Another process taking over the same entries at once finds them owned already.
      const rows = await this.#db.all(
        `UPDATE relay_journal SET owner = $me WHERE status = 'pending' AND ${
          owner === null ? 'owner IS NULL' : 'owner = $owner'
        } RETURNING id`,
        owner === null ? { me } : { me, owner: Number(owner) },
      );
      adopted.push(...rows.map((row) => Number(row.id)));
    }
    return adopted;
  }

  async minedBefore(beforeBlock: number, limit: number): Promise<JournalEntry[]> {
    const rows = await this.#db.all(
      `SELECT * FROM relay_journal WHERE status = 'mined' AND block_number < $before
       ORDER BY block_number DESC, id DESC LIMIT $limit`,
      { before: beforeBlock, limit },
    );
    return rows.map(entryOf);
  }

  async latestMined(): Promise<JournalEntry | undefined> {
    const row = await this.#db.get(
      `SELECT * FROM relay_journal WHERE status = 'mined' ORDER BY block_number DESC, id DESC LIMIT 1`,
    );
    return row ? entryOf(row) : undefined;
  }

  /** How many entries are journaled but not known to be mined. */
  async pendingCount(): Promise<number> {
    const row = await this.#db.get(`SELECT count(*) AS n FROM relay_journal WHERE status = 'pending'`);
    return Number(row?.n ?? 0);
  }

  /** Queues `write` into the next group commit; resolves once that commit is on disk. */
  #grouped(write: Write): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queued.push({ write, settle: (error) => (error ? reject(error) : resolve()) });
      if (this.#queued.length === 1) setImmediate(() => this.#commit());
    });
  }

  async #commit(): Promise<void> {
    const batch = this.#queued;
    this.#queued = [];
    try {
      await this.#db.transaction(async (tx) => {
        for (const item of batch) await item.write(tx);
      });
      for (const item of batch) item.settle();
    } catch (error) {
      for (const item of batch) item.settle(error);
    }
  }
}

function entryOf(row: SqlRow): JournalEntry {
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
