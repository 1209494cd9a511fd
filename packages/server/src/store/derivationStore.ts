/**
 * Record derivations (copy, duplicate, move) as the indexer follows them from the RecordActions
 * contract's `RecordDerived` events: chain-derived rows, written with the index's cursor and rebuilt
 * from the chain on a rewind. Kinds are the contract's codes (`derivationKinds` in the core, from 1).
 */
import type { Address, Hex } from 'viem';

/** One derivation: the new record `recordId`, made from `sourceId` by `by`. */
export interface DerivationRow {
  recordId: Hex;
  kind: number;
  sourceId: Hex;
  by: Address;
  /** For a copy, the organisation whose members may read it; else 0. */
  toOrganisation: number;
  blockNumber: number;
  logIndex: number;
  transactionHash: Hex;
}

export interface DerivationStore {
  /** How `recordId` was derived, if it was. */
  derivation(recordId: Hex): Promise<DerivationRow | undefined>;
  /** The records derived from `sourceId`, in chain order. */
  derivationsOf(sourceId: Hex): Promise<DerivationRow[]>;
}
