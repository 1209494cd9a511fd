/**
 * Orders (lab orders, prescriptions, claims) as the indexer follows them from the Orders contract's
 * events: chain-derived rows, written with the index's cursor and rebuilt from the chain on a rewind.
 * Kinds and statuses are the contract's codes (see `orderKinds`, `orderStatuses` in the core).
 */
import type { Address, Hex } from 'viem';

export interface OrderRow {
  orderId: Hex;
  kind: number;
  status: number;
  patient: Address;
  requester: Address;
  requesterOrganisation: number;
  /** 0: a prescription any pharmacy the patient allows may dispense. */
  performerOrganisation: number;
  quantity: number;
  dispensed: number;
  fills: number;
  fillsUsed: number;
  /** Block times, unix seconds. */
  placedAt: number;
  updatedAt: number;
  blockNumber: number;
}

/** One step of an order: its placing, a status change, its result, a dispense. */
export interface OrderStepRow {
  orderId: Hex;
  /** The order's status after the step. */
  status: number;
  actor: Address;
  /** Block time, unix seconds. */
  at: number;
  /** The records the step wrote (the request, the results, the MedicationDispense); none for a status change. */
  recordIds: Hex[];
  /** The quantity a dispense gave. */
  quantity: number | null;
  blockNumber: number;
  logIndex: number;
}

interface OrderEventBase {
  orderId: Hex;
  actor: Address;
  at: number;
  blockNumber: number;
  logIndex: number;
}

/** An Orders event, as the indexer hands it to the store (in chain order). */
export type OrderEvent =
  | (OrderEventBase & {
      type: 'placed';
      patient: Address;
      requesterOrganisation: number;
      performerOrganisation: number;
      kind: number;
      quantity: number;
      fills: number;
    })
  | (OrderEventBase & { type: 'status'; status: number })
  | (OrderEventBase & { type: 'completed'; recordIds: Hex[] })
  | (OrderEventBase & {
      type: 'dispensed';
      quantity: number;
      dispensed: number;
      fillsUsed: number;
      recordId: Hex;
    });

/** Which orders to list; the conditions given are joined with OR, then `kind` and `status` narrow them. */
export interface OrderFilter {
  patient?: Address;
  requester?: Address;
  performerOrganisation?: number;
  /** Prescriptions with no pharmacy named, of these patients. */
  openPrescriptionsOf?: Address[];
  kind?: number;
  status?: number;
}

export interface OrderStore {
  order(orderId: Hex): Promise<OrderRow | undefined>;
  orders(filter: OrderFilter): Promise<OrderRow[]>;
  /** The steps of an order, in chain order. */
  orderSteps(orderId: Hex): Promise<OrderStepRow[]>;
}
