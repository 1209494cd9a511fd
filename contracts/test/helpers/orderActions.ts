/**
 * One helper per Orders function, as helpers/actions.ts has for the other contracts: builds the typed
 * message, signs it as the actor and has the relayer send it. Options forge what a gateway would not.
 */
import type { Address, Hex, LocalAccount } from 'viem';
import { type RecordInput, type SignOptions, signAction } from './actions.ts';
import type { TestLedger, WriteResult } from './ledger.ts';

export const orderKind = { lab: 1, prescription: 2, claim: 3 } as const;
export const orderStatus = {
  placed: 1,
  accepted: 2,
  inProgress: 3,
  completed: 4,
  cancelled: 5,
  rejected: 6,
} as const;

/** `IOrders.Order` as viem decodes it. */
export interface Order {
  patient: Address;
  requester: Address;
  requesterOrganisation: number;
  performerOrganisation: number;
  kind: number;
  status: number;
  quantity: number;
  dispensed: number;
  fills: number;
  fillsUsed: number;
  placedAt: bigint;
  updatedAt: bigint;
}

export interface PlaceInput {
  request: RecordInput;
  kind: number;
  performerOrganisation: number;
  quantity?: number;
  fills?: number;
}

export async function placeOrder(
  ledger: TestLedger,
  signer: LocalAccount,
  input: PlaceInput,
  options: SignOptions = {},
): Promise<WriteResult> {
  const { request, kind, performerOrganisation, quantity = 0, fills = 0 } = input;
  const message = {
    orderId: request.record.recordId,
    patient: request.record.patient,
    kind,
    performerOrganisation,
    quantity,
    fills,
  };
  const signed = await signAction(ledger, signer, 'orders', 'PlaceOrder', message, options);
  return ledger.write(
    'orders',
    'place',
    [request, kind, performerOrganisation, quantity, fills, signed.nonce, signed.deadline, signed.signature],
    options.address,
  );
}

export async function setOrderStatus(
  ledger: TestLedger,
  signer: LocalAccount,
  orderId: Hex,
  status: number,
  input: { actor?: Address } = {},
  options: SignOptions = {},
): Promise<WriteResult> {
  const signed = await signAction(ledger, signer, 'orders', 'OrderStatus', { orderId, status }, options);
  return ledger.write(
    'orders',
    'setStatus',
    [orderId, status, input.actor ?? signer.address, signed.nonce, signed.deadline, signed.signature],
    options.address,
  );
}

export async function completeOrder(
  ledger: TestLedger,
  signer: LocalAccount,
  orderId: Hex,
  results: readonly RecordInput[],
  options: SignOptions = {},
): Promise<WriteResult> {
  const result = results[0]?.record.recordId ?? `0x${'0'.repeat(64)}`;
  const signed = await signAction(ledger, signer, 'orders', 'CompleteOrder', { orderId, result }, options);
  return ledger.write(
    'orders',
    'complete',
    [orderId, results, signed.nonce, signed.deadline, signed.signature],
    options.address,
  );
}

/** The arguments of `dispense`, signed by `signer`: to send them later (two dispenses in one block). */
export async function dispenseArguments(
  ledger: TestLedger,
  signer: LocalAccount,
  orderId: Hex,
  quantity: number,
  record: RecordInput,
  options: SignOptions = {},
): Promise<readonly unknown[]> {
  const message = { orderId, quantity, record: record.record.recordId };
  const signed = await signAction(ledger, signer, 'orders', 'DispenseOrder', message, options);
  return [orderId, quantity, record, signed.nonce, signed.deadline, signed.signature];
}

export async function dispenseOrder(
  ledger: TestLedger,
  signer: LocalAccount,
  orderId: Hex,
  quantity: number,
  record: RecordInput,
  options: SignOptions = {},
): Promise<WriteResult> {
  const args = await dispenseArguments(ledger, signer, orderId, quantity, record, options);
  return ledger.write('orders', 'dispense', args, options.address);
}
