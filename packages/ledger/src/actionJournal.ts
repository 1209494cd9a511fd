/**
 * The relay journal's contract: every transaction a gateway relays is written here, durably,
 * before it is sent, and marked mined (with its block's hash) before it is acknowledged. After a
 * crash, or when the chain no longer holds what was acknowledged, the journal is re-applied in
 * order (see `journalRecovery.ts`). Signed actions authenticate themselves (EIP-712 signatures
 * with unordered nonces), so sending one again is legitimate and can never apply it twice.
 *
 * The storage is the gateway's (SQLite or PostgreSQL); the ledger package only states what it needs.
 */
import type { Address, Hex } from 'viem';

/** How a journaled action ended when it could not be (re-)applied as sent. */
export type ActionOutcome =
  /** Its signature's deadline passed before it could be applied again; its author is told. */
  | 'expired'
  /** The chain refused it when it was applied again (the state it relied on differs); reported. */
  | 'failed'
  /** Already on chain through another transaction (its signed nonce is used). */
  | 'superseded';

export interface NewJournalEntry {
  /** Contract address and call data: exactly what is sent. */
  to: Address;
  data: Hex;
  /** Gas limit it is sent with. */
  gas: bigint;
  /** The contract function, for reports. */
  functionName: string;
  /** Whoever signed the action (the first address argument), told if it expires. */
  author: Address | null;
}

export interface JournalEntry extends NewJournalEntry {
  /** Increasing in the order the actions were journaled (the order they are re-applied in). */
  id: number;
  status: 'pending' | 'mined';
  transactionHash: Hex | null;
  blockNumber: number | null;
  blockHash: Hex | null;
}

export interface MinedAt {
  transactionHash: Hex;
  blockNumber: number;
  blockHash: Hex;
}

export interface ActionJournal {
  /** Durable when it resolves (group-committed with the appends of the same tick). */
  append(entry: NewJournalEntry): Promise<number>;
  /** Remembers the hash of the transaction last sent for the entry (a hint for recovery). */
  sent(id: number, transactionHash: Hex): Promise<void>;
  /**
   * Durable when it resolves: the entry is acknowledged. With `ifPending` (a relay's own
   * confirmation) nothing changes unless the entry is still pending: recovery may have settled or
   * re-applied it meanwhile, and what it recorded of the chain as it is now stands. Resolves with
   * whether the entry was marked.
   */
  mined(id: number, at: MinedAt, options?: { ifPending?: boolean }): Promise<boolean>;
  /** The entry ended without being applied as journaled (durable). */
  settle(id: number, outcome: ActionOutcome, detail: string): Promise<void>;
  /**
   * Entries journaled but not known to be mined that this process answers for, in id order (with
   * several processes on one journal: its own and those of processes that have ended).
   */
  pending(): Promise<JournalEntry[]>;
  /**
   * Takes over the pending entries of processes that have ended (several processes on one
   * journal) and resolves with them, in id order; none with a single process.
   */
  orphaned(): Promise<JournalEntry[]>;
  /** Mined entries in blocks below `beforeBlock`, highest block first, at most `limit`. */
  minedBefore(beforeBlock: number, limit: number): Promise<JournalEntry[]>;
  /** The mined entry in the highest block (the acknowledged checkpoint), if any. */
  latestMined(): Promise<JournalEntry | undefined>;
}
