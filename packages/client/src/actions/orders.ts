/**
 * Lab orders, prescriptions and claims: one on-chain state machine (see contracts/src/IOrders.sol).
 * Each step that writes a record encrypts and signs it exactly as `addRecord` does
 * (`sealAndSignRecord`) and signs the step itself; the gateway anchors both in one transaction.
 * An order's id is its request record's id, so `ServiceRequest/<orderId without 0x>` (or
 * `MedicationRequest/…`, `Claim/…`) is its FHIR id everywhere.
 */
import type { OrderDetail, OrderList, OrderPlaced, OrderSummary } from '@medledger/api';
import {
  type BuiltResource,
  bytesToHex,
  type Category,
  categoryOfResource,
  InvalidInputError,
  type OrderKind,
  type OrderStatus,
  orderKindCategory,
  orderKindCode,
  orderStatusCode,
  ordersTypes,
  randomBytes,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { Transport } from '../transport.ts';
import { sealAndSignRecord } from './addRecord.ts';

export interface PlaceOrderInput {
  patient: Address;
  kind: OrderKind;
  /** The lab, the pharmacy (none: any pharmacy the patient allows) or the insurer. */
  performerOrganisation?: number;
  /** A ServiceRequest (lab), MedicationRequest (prescription) or Claim (claim). */
  resource: BuiltResource;
  /** Prescriptions: the quantity prescribed (required). */
  quantity?: number;
  /** Prescriptions: 1 + refills (default 1). */
  fills?: number;
}

/**
 * Places a lab order, prescription or claim for `patient`: its request resource becomes an encrypted
 * record whose id is the order's id. Resolves once the order is in a block.
 *
 * @example
 * const { orderId } = await placeOrder(doctor, { patient, kind: 'lab', performerOrganisation: lab, resource: buildLabOrder({...}) });
 */
export async function placeOrder(
  client: Transport,
  input: PlaceOrderInput,
): Promise<{ orderId: Hex; transactionHash: Hex }> {
  const prescription = input.kind === 'prescription';
  if (prescription && !(Number.isInteger(input.quantity) && (input.quantity ?? 0) >= 1)) {
    throw new InvalidInputError('A prescription needs a quantity of at least 1.', {
      reason: 'order_quantity_required',
    });
  }
  const quantity = prescription ? (input.quantity as number) : 0;
  const fills = prescription ? (input.fills ?? 1) : 0;
  const performerOrganisation = input.performerOrganisation ?? 0;
  const orderId = newRecordId();
  const record = await sealAndSignRecord(client, {
    patient: input.patient,
    category: orderKindCategory[input.kind],
    resource: { ...input.resource, id: fhirId(orderId) },
    recordId: orderId,
  });
  const kind = orderKindCode(input.kind);
  const signed = await client.signAction('orders', ordersTypes, 'PlaceOrder', {
    orderId,
    patient: record.leaf.patient,
    kind,
    performerOrganisation,
    quantity,
    fills,
  });
  const placed = await client.call<OrderPlaced>('POST', '/api/orders', {
    kind: input.kind,
    record,
    performerOrganisation,
    quantity,
    fills,
    ...signed,
  });
  return { orderId: placed.orderId as Hex, transactionHash: placed.transactionHash as Hex };
}

/**
 * Moves an order: `accepted`, `in_progress` or `rejected` as a member of the organisation it was sent
 * to, `cancelled` as its requester or its patient.
 *
 * @example
 * await setOrderStatus(labTechnician, { orderId, status: 'accepted' });
 */
export async function setOrderStatus(
  client: Transport,
  input: {
    orderId: Hex;
    status: Extract<OrderStatus, 'accepted' | 'in_progress' | 'rejected' | 'cancelled'>;
  },
): Promise<{ orderId: Hex; status: OrderStatus }> {
  const orderId = input.orderId.toLowerCase() as Hex;
  const signed = await client.signAction('orders', ordersTypes, 'OrderStatus', {
    orderId,
    status: orderStatusCode(input.status),
  });
  const order = await client.call<OrderDetail>('POST', `/api/orders/${orderId}/status`, {
    status: input.status,
    actor: client.address,
    ...signed,
  });
  return { orderId, status: order.status };
}

/**
 * Posts a lab order's or claim's result: `resources[0]` a DiagnosticReport (or ClaimResponse), the
 * others (Observations) referenced from it by `urn:uuid:<id>` or `Observation/<id>`; each becomes a
 * record, and every such reference is rewritten to the record's FHIR id. Resolves once in a block.
 *
 * @example
 * await completeOrder(labTechnician, { orderId, resources: [report, observation] });
 */
export async function completeOrder(
  client: Transport,
  input: { orderId: Hex; resources: readonly BuiltResource[] },
): Promise<{ orderId: Hex; resultRecordIds: Hex[] }> {
  const orderId = input.orderId.toLowerCase() as Hex;
  if (input.resources.length === 0) {
    throw new InvalidInputError('A result needs at least one resource.', { reason: 'order_no_results' });
  }
  const order = await orderOf(client, orderId);
  const recordIds = input.resources.map(() => newRecordId());
  const resources = withRecordIds(input.resources, recordIds);
  const results = [];
  for (const [index, resource] of resources.entries()) {
    const category: Category =
      index === 0
        ? orderKindCategory[order.kind]
        : (categoryOfResource(resource) ?? orderKindCategory[order.kind]);
    results.push(
      await sealAndSignRecord(client, {
        patient: order.patient as Address,
        category,
        resource,
        recordId: recordIds[index] as Hex,
      }),
    );
  }
  const signed = await client.signAction('orders', ordersTypes, 'CompleteOrder', {
    orderId,
    result: recordIds[0] as Hex,
  });
  await client.call<OrderDetail>('POST', `/api/orders/${orderId}/complete`, { results, ...signed });
  return { orderId, resultRecordIds: recordIds };
}

/**
 * Dispenses `quantity` of a prescription with a MedicationDispense resource. Of two pharmacies
 * dispensing the last units at once, one wins; the other gets `ConflictError` (reason
 * `order_quantity_exceeded` or `order_fills_used`) and its record is not anchored.
 *
 * @example
 * const { dispensed, status } = await dispenseOrder(pharmacist, { orderId, quantity: 30, resource: buildDispense({...}) });
 */
export async function dispenseOrder(
  client: Transport,
  input: { orderId: Hex; quantity: number; resource: BuiltResource },
): Promise<{ orderId: Hex; dispensed: number; status: OrderStatus }> {
  const orderId = input.orderId.toLowerCase() as Hex;
  const order = await orderOf(client, orderId);
  const recordId = newRecordId();
  const record = await sealAndSignRecord(client, {
    patient: order.patient as Address,
    category: 'medication',
    resource: { ...input.resource, id: fhirId(recordId) },
    recordId,
  });
  const signed = await client.signAction('orders', ordersTypes, 'DispenseOrder', {
    orderId,
    quantity: input.quantity,
    record: recordId,
  });
  const after = await client.call<OrderDetail>('POST', `/api/orders/${orderId}/dispense`, {
    quantity: input.quantity,
    record,
    ...signed,
  });
  return { orderId, dispensed: after.dispensed, status: after.status };
}

/**
 * Orders of a view: `worklist` (those my organisation performs; for a pharmacy also prescriptions
 * with no pharmacy named of patients who allow it), `requested` (mine), `patient` (a patient's).
 *
 * @example
 * const worklist = await listOrders(labTechnician, { view: 'worklist', status: 'placed' });
 */
export async function listOrders(
  client: Transport,
  input: {
    view: 'worklist' | 'requested' | 'patient';
    patient?: Address;
    kind?: OrderKind;
    status?: OrderStatus;
  },
): Promise<OrderSummary[]> {
  const query = new URLSearchParams({ view: input.view });
  if (input.patient) query.set('patient', input.patient);
  if (input.kind) query.set('kind', input.kind);
  if (input.status) query.set('status', input.status);
  return (await client.call<OrderList>('GET', `/api/orders?${query}`)).orders;
}

/**
 * One order with its steps (its content is in its records: `readRecord(client, requestRecordId)`).
 *
 * @example
 * const { status, steps } = await orderOf(patient, orderId);
 */
export function orderOf(client: Transport, orderId: Hex): Promise<OrderDetail> {
  return client.call<OrderDetail>('GET', `/api/orders/${orderId.toLowerCase()}`);
}

function newRecordId(): Hex {
  return bytesToHex(randomBytes(32));
}

/** A record id as a FHIR id: its 64 hex digits. */
function fhirId(recordId: Hex): string {
  return recordId.slice(2);
}

/**
 * The resources with their record ids as FHIR ids, and every reference to one of them (`urn:uuid:<id>`
 * or `<Type>/<id>`) rewritten to `<Type>/<record id>`.
 */
function withRecordIds(resources: readonly BuiltResource[], recordIds: readonly Hex[]): BuiltResource[] {
  const rewrites = new Map<string, string>();
  resources.forEach((resource, index) => {
    const target = `${resource.resourceType}/${fhirId(recordIds[index] as Hex)}`;
    rewrites.set(`urn:uuid:${resource.id}`, target);
    rewrites.set(`${resource.resourceType}/${resource.id}`, target);
  });
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') return rewrites.get(value) ?? value;
    if (Array.isArray(value)) return value.map(rewrite);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewrite(item)]));
    }
    return value;
  };
  return resources.map((resource, index) => ({
    ...(rewrite(resource) as BuiltResource),
    id: fhirId(recordIds[index] as Hex),
  }));
}
