/**
 * Patients' delegates (family, caregivers, researchers) as the indexer follows them from the Delegates
 * contract's events: chain-derived rows, written with the index's cursor and rebuilt from the chain on a
 * rewind. They feed lists and the role shown at sign-in; access decisions ask the chain.
 */
import type { Address, Hex } from 'viem';

export interface DelegateRow {
  patient: Address;
  delegate: Address;
  /** 1 family, 2 caregiver, 3 researcher (see `delegateKinds` in the core). */
  kind: number;
  /** The categories the delegate may be granted at most, as a bitmask. */
  categoryLimit: number;
  encryptionKey: Hex;
  /** False once the patient removed it. */
  active: boolean;
  /** The block of its latest registration. */
  addedAtBlock: number;
}

/** A `DelegateAdded` or `DelegateRemoved` event, in chain order. */
export type DelegateEvent =
  | ({ type: 'added' } & Omit<DelegateRow, 'active'>)
  | { type: 'removed'; patient: Address; delegate: Address };

export interface DelegateStore {
  /** The delegates `patient` registered, removed ones included, in the order of their addresses. */
  delegatesOfPatient(patient: Address): Promise<DelegateRow[]>;
  /** The patients `delegate` is (or was) a delegate of, in the order of their addresses. */
  delegationsTo(delegate: Address): Promise<DelegateRow[]>;
}
