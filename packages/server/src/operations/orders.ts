/**
 * The orders operations: placing a lab order, prescription or claim, changing its status, posting its
 * result, dispensing a prescription, and listing orders. Each step is its actor's signed action, relayed
 * to the Orders contract with the records it writes (checked exactly as `POST /api/records` checks a
 * record, see `acceptRecord`), so the step and its records are anchored in one transaction or not at all.
 * Who sees an order is decided by `accessControl`; every step is audited, allowed or refused.
 */
import type {
  AddRecordBody,
  CompleteOrderBody,
  DispenseOrderBody,
  ListOrdersQuery,
  OrderDetail,
  OrderList,
  OrderPlaced,
  OrderSummary,
  PlaceOrderBody,
  SetOrderStatusBody,
} from '@medledger/api';
import {
  categories,
  InvalidInputError,
  MedledgerError,
  NotFoundError,
  type OrderKind,
  orderKindCategory,
  orderKindCode,
  orderKindOfCode,
  orderStatusCode,
  orderStatuses,
} from '@medledger/core';
import type { SentTransaction } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import type { OrderRow, OrderStepRow } from '../store/gatewayStore.ts';
import { type AcceptedRecord, acceptRecord } from './records.ts';
import { requireSigner, signedArgs } from './signedActions.ts';

const pharmacyKind = 3;

/**
 * Places an order: its request record (a ServiceRequest, MedicationRequest or Claim, of the kind's
 * category) and the requester's signed `PlaceOrder`. Throws `InvalidInputError` (`order_record_category`),
 * `acceptRecord`'s errors, or the chain's refusal (`order_not_requester`, `order_invalid_performer`, ...).
 */
export async function placeOrder(
  services: GatewayServices,
  session: Session,
  body: PlaceOrderBody,
): Promise<OrderPlaced> {
  requireCategory(body.kind, body.record);
  const request = await acceptRecord(services, session, body.record);
  const orderId = request.leaf.recordId;
  const sent = await step(services, request.leaf.author, request.leaf.patient, 'order-place', orderId, () =>
    services.ledger.write('orders', 'place', [
      recordInput(request),
      orderKindCode(body.kind),
      body.performerOrganisation,
      body.quantity,
      body.fills,
      ...signedArgs(body),
    ]),
  );
  await catchUp(services);
  return { orderId, recordId: orderId, transactionHash: sent.hash, blockNumber: Number(sent.blockNumber) };
}

/**
 * Moves an order to `accepted`, `in_progress` or `rejected` (its performer) or `cancelled` (its
 * requester or patient), as `body.actor` (the caller) signed it, and answers the order.
 */
export async function setOrderStatus(
  services: GatewayServices,
  session: Session,
  orderId: Hex,
  body: SetOrderStatusBody,
): Promise<OrderDetail> {
  const actor = requireSigner(session, body.actor ?? session.address, 'order status');
  const id = orderId.toLowerCase() as Hex;
  const patient = await patientOfOrder(services, id);
  await step(services, actor, patient, 'order-status', id, () =>
    services.ledger.write('orders', 'setStatus', [
      id,
      orderStatusCode(body.status),
      actor,
      ...signedArgs(body),
    ]),
  );
  await catchUp(services);
  return getOrder(services, session, id);
}

/**
 * Posts a lab order's or claim's result: its records (the first a DiagnosticReport or ClaimResponse)
 * and the performer's signed `CompleteOrder`; a lab the order was not sent to is refused by the chain
 * (`AccessDeniedError`, reason `order_not_performer`).
 */
export async function completeOrder(
  services: GatewayServices,
  session: Session,
  orderId: Hex,
  body: CompleteOrderBody,
): Promise<OrderDetail> {
  const id = orderId.toLowerCase() as Hex;
  const patient = await patientOfOrder(services, id);
  const results: AcceptedRecord[] = [];
  for (const result of body.results) results.push(await acceptRecord(services, session, result));
  const [first] = results as [AcceptedRecord];
  await step(services, first.leaf.author, patient, 'order-complete', id, () =>
    services.ledger.write('orders', 'complete', [id, results.map(recordInput), ...signedArgs(body)]),
  );
  await catchUp(services);
  return getOrder(services, session, id);
}

/**
 * Dispenses `quantity` of a prescription with a MedicationDispense record and the pharmacist's signed
 * `DispenseOrder`. Of two pharmacies dispensing the last units at once, the chain lets one win; the
 * other is refused with `ConflictError` (reason `order_quantity_exceeded` or `order_fills_used`),
 * whether its simulation or its mined transaction found the units gone, and its record is not anchored.
 */
export async function dispenseOrder(
  services: GatewayServices,
  session: Session,
  orderId: Hex,
  body: DispenseOrderBody,
): Promise<OrderDetail> {
  const id = orderId.toLowerCase() as Hex;
  const patient = await patientOfOrder(services, id);
  const record = await acceptRecord(services, session, body.record);
  await step(services, record.leaf.author, patient, 'order-dispense', id, () =>
    services.ledger.write('orders', 'dispense', [
      id,
      body.quantity,
      recordInput(record),
      ...signedArgs(body),
    ]),
  );
  await catchUp(services);
  return getOrder(services, session, id);
}

/**
 * The orders of a view the caller may see (see `accessControl.maySeeOrder`): `worklist`, those its
 * organisation performs (a pharmacy's: also prescriptions with no pharmacy named of patients who let
 * it read their medication); `requested`, those it placed; `patient`, a patient's.
 */
export async function listOrders(
  services: GatewayServices,
  session: Session,
  query: ListOrdersQuery,
): Promise<OrderList> {
  const { access, ledger, store } = services;
  const me = session.address.toLowerCase() as Address;
  const narrow = {
    ...(query.kind ? { kind: orderKindCode(query.kind) } : {}),
    ...(query.status ? { status: orderStatusCode(query.status) } : {}),
  };
  let rows: OrderRow[];
  if (query.view === 'patient') {
    const patient = (query.patient ?? me).toLowerCase() as Address;
    const candidates = await store.orders({ patient, ...narrow });
    rows = await access.ordersVisibleTo(me, candidates);
    await access.auditOrderStep(
      me,
      patient,
      'order-list',
      rows.length || !candidates.length ? 'allowed' : 'denied',
      `${rows.length} of ${candidates.length} orders visible`,
    );
  } else if (query.view === 'requested') {
    rows = await access.ordersVisibleTo(me, await store.orders({ requester: me, ...narrow }));
  } else {
    const organisationId = Number(await ledger.read('consortium', 'activeOrganisationOf', [me]));
    if (!organisationId) return { orders: [] };
    const pharmacy = (await store.organisation(organisationId))?.kind === pharmacyKind;
    const patients = pharmacy
      ? [...new Set((await store.grantsToActor(me, organisationId)).map((grant) => grant.patient))]
      : [];
    const candidates = await store.orders({
      performerOrganisation: organisationId,
      openPrescriptionsOf: patients,
      ...narrow,
    });
    rows = await access.ordersVisibleTo(me, candidates);
  }
  if (query.patient && query.view !== 'patient') {
    rows = rows.filter((row) => row.patient.toLowerCase() === query.patient?.toLowerCase());
  }
  return {
    orders: await Promise.all(rows.map(async (row) => summarise(row, await store.orderSteps(row.orderId)))),
  };
}

/** One order with its steps, to whoever may see it; anyone else gets `NotFoundError` (`no_such_order`). */
export async function getOrder(
  services: GatewayServices,
  session: Session,
  orderId: Hex,
): Promise<OrderDetail> {
  const id = orderId.toLowerCase() as Hex;
  const row = await services.store.order(id);
  if (!row) throw new NotFoundError(`No order ${id} of yours.`, { reason: 'no_such_order' });
  await services.access.authoriseOrderView(session.address, row);
  const steps = await services.store.orderSteps(id);
  const organisations = await Promise.all(
    steps.map(async (entry) => (await services.store.member(entry.actor))?.organisationId ?? null),
  );
  return {
    ...summarise(row, steps),
    steps: steps.map((entry, index) => ({
      status: statusName(entry.status),
      actor: entry.actor,
      actorOrganisation: organisations[index] ?? null,
      at: entry.at,
      recordIds: entry.recordIds,
      ...(entry.recordIds[0] ? { recordId: entry.recordIds[0] } : {}),
      ...(entry.quantity !== null ? { quantity: entry.quantity } : {}),
    })),
  };
}

function summarise(row: OrderRow, steps: readonly OrderStepRow[]): OrderSummary {
  return {
    orderId: row.orderId,
    kind: orderKindOfCode(row.kind) ?? 'lab',
    status: statusName(row.status),
    patient: row.patient,
    requester: row.requester,
    requesterOrganisation: row.requesterOrganisation,
    performerOrganisation: row.performerOrganisation || null,
    quantity: row.quantity,
    dispensed: row.dispensed,
    fills: row.fills,
    fillsUsed: row.fillsUsed,
    placedAt: row.placedAt,
    updatedAt: row.updatedAt,
    requestRecordId: row.orderId,
    // Every record a step after the placing wrote: the results, or the MedicationDispense records.
    resultRecordIds: steps.slice(1).flatMap((entry) => entry.recordIds),
  };
}

function statusName(code: number): OrderSummary['status'] {
  return orderStatuses[code - 1] ?? 'placed';
}

/** The request record must be of the kind's category (the contract checks it too; this says so first). */
function requireCategory(kind: OrderKind, record: AddRecordBody): void {
  const expected = orderKindCategory[kind];
  if (categories[record.leaf.category] !== expected) {
    throw new InvalidInputError(`A ${kind} order's request record must be of category ${expected}.`, {
      reason: 'order_record_category',
      fields: { expected },
    });
  }
}

/** The order's patient, as the chain has it (the index may not have the order yet). */
async function patientOfOrder({ ledger }: GatewayServices, orderId: Hex): Promise<Address> {
  const order = await ledger.read('orders', 'orderOf', [orderId]);
  if (order.status === 0) throw new NotFoundError(`No order ${orderId}.`, { reason: 'no_such_order' });
  return order.patient.toLowerCase() as Address;
}

function recordInput({ leaf, grantId, signature }: AcceptedRecord) {
  return { record: leaf, grantId, signature };
}

/** Sends a step and audits it under the patient: allowed with its transaction, or denied with the chain's reason. */
async function step(
  { access }: GatewayServices,
  actor: Address,
  patient: Address,
  action: string,
  orderId: Hex,
  send: () => Promise<SentTransaction>,
): Promise<SentTransaction> {
  let sent: SentTransaction;
  try {
    sent = await send();
  } catch (error) {
    const reason = error instanceof MedledgerError ? (error.reason ?? error.code) : 'ledger_unavailable';
    await access.auditOrderStep(actor, patient, action, 'denied', `order ${orderId}: ${reason}`);
    throw error;
  }
  await access.auditOrderStep(actor, patient, action, 'allowed', `order ${orderId}: ${sent.hash}`);
  return sent;
}

/** Brings the index and the notifications up to the block just mined, so the answer shows the step. */
async function catchUp({ indexer, eventFollower }: GatewayServices): Promise<void> {
  await indexer.sync();
  await eventFollower.sync();
}
