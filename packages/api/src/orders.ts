/**
 * The orders area: lab orders, prescriptions and insurance claims, one on-chain state machine
 * (contracts/src/IOrders.sol). Each step that writes a record carries it exactly as `POST /api/records`
 * does (its signed leaf, signature and envelope), plus the step's own signed action; the gateway
 * anchors both in one transaction. An order's id is its request record's id.
 */
import { orderKinds, orderStatuses } from '@medledger/core';
import type { ApiType } from './apiType.ts';
import { addRecordBody } from './records.ts';
import { address, bytes32, nullable, object, signedFieldNames, signedFields, uint32 } from './schemaParts.ts';

export const orderKind = { type: 'string', enum: [...orderKinds] } as const;
export const orderStatus = { type: 'string', enum: [...orderStatuses] } as const;

/** `POST /api/orders`: the request record (ServiceRequest, MedicationRequest or Claim) and the signed `PlaceOrder`. */
export const placeOrderBody = object(
  {
    kind: orderKind,
    record: addRecordBody,
    performerOrganisation: {
      ...uint32,
      description: 'the lab, pharmacy (0: any the patient allows) or insurer',
    },
    quantity: { ...uint32, description: 'prescriptions: the quantity prescribed (else 0)' },
    fills: {
      type: 'integer',
      minimum: 0,
      maximum: 65_535,
      description: 'prescriptions: 1 + refills (else 0)',
    },
    ...signedFields,
  },
  ['kind', 'record', 'performerOrganisation', 'quantity', 'fills', ...signedFieldNames],
);
export type PlaceOrderBody = ApiType<typeof placeOrderBody>;

/** `POST /api/orders` (201). */
export const orderPlaced = object(
  {
    orderId: bytes32,
    recordId: bytes32,
    transactionHash: bytes32,
    blockNumber: { type: 'integer' },
  },
  ['orderId', 'recordId', 'transactionHash', 'blockNumber'],
);
export type OrderPlaced = ApiType<typeof orderPlaced>;

/** `/api/orders/:orderId…`. */
export const orderIdParams = object({ orderId: bytes32 }, ['orderId']);

/** `POST /api/orders/:orderId/status`: the signed `OrderStatus`; `actor` defaults to the caller. */
export const setOrderStatusBody = object(
  {
    status: { type: 'string', enum: ['accepted', 'in_progress', 'rejected', 'cancelled'] },
    actor: address,
    ...signedFields,
  },
  ['status', ...signedFieldNames],
);
export type SetOrderStatusBody = ApiType<typeof setOrderStatusBody>;

/** `POST /api/orders/:orderId/complete`: the result records (the first a DiagnosticReport or ClaimResponse). */
export const completeOrderBody = object(
  {
    results: { type: 'array', items: addRecordBody, minItems: 1, maxItems: 64 },
    ...signedFields,
  },
  ['results', ...signedFieldNames],
);
export type CompleteOrderBody = ApiType<typeof completeOrderBody>;

/** `POST /api/orders/:orderId/dispense`: the MedicationDispense record and the signed `DispenseOrder`. */
export const dispenseOrderBody = object(
  {
    quantity: { ...uint32, minimum: 1 },
    record: addRecordBody,
    ...signedFields,
  },
  ['quantity', 'record', ...signedFieldNames],
);
export type DispenseOrderBody = ApiType<typeof dispenseOrderBody>;

/** `GET /api/orders` query. */
export const listOrdersQuery = object(
  {
    view: {
      type: 'string',
      enum: ['worklist', 'requested', 'patient'],
      description:
        'worklist: orders my organisation performs (and prescriptions with no pharmacy named of patients who let me ' +
        'read their medication); requested: orders I placed; patient: a patient’s orders',
    },
    patient: { ...address, description: 'the patient view: whose orders (default: the caller’s own)' },
    kind: orderKind,
    status: orderStatus,
  },
  ['view'],
);
export type ListOrdersQuery = ApiType<typeof listOrdersQuery>;

const orderSummaryProperties = {
  orderId: bytes32,
  kind: orderKind,
  status: orderStatus,
  patient: address,
  requester: address,
  requesterOrganisation: { type: 'integer' },
  performerOrganisation: nullable({ type: 'integer' }),
  quantity: { type: 'integer' },
  dispensed: { type: 'integer' },
  fills: { type: 'integer' },
  fillsUsed: { type: 'integer' },
  placedAt: { type: 'integer', description: 'unix seconds (block time)' },
  updatedAt: { type: 'integer', description: 'unix seconds (block time)' },
  requestRecordId: bytes32,
  resultRecordIds: { type: 'array', items: bytes32, description: 'results, or MedicationDispense records' },
} as const;
const orderSummaryRequired = Object.keys(orderSummaryProperties) as (keyof typeof orderSummaryProperties)[];

/** An order as the gateway indexed it (its content is in its records). */
export const orderSummary = object(orderSummaryProperties, orderSummaryRequired);
export type OrderSummary = ApiType<typeof orderSummary>;

/** `GET /api/orders`. */
export const orderList = object({ orders: { type: 'array', items: orderSummary } }, ['orders']);
export type OrderList = ApiType<typeof orderList>;

/** One step of an order. */
export const orderStep = object(
  {
    status: orderStatus,
    actor: address,
    actorOrganisation: {
      ...nullable({ type: 'integer' }),
      description: 'the actor’s organisation as this gateway indexed it (null: the patient, or unknown)',
    },
    at: { type: 'integer', description: 'unix seconds (block time)' },
    recordId: bytes32,
    recordIds: { type: 'array', items: bytes32 },
    quantity: { type: 'integer' },
  },
  ['status', 'actor', 'actorOrganisation', 'at', 'recordIds'],
);
export type OrderStep = ApiType<typeof orderStep>;

/** `GET /api/orders/:orderId`, and the answer of each step. */
export const orderDetail = object({ ...orderSummaryProperties, steps: { type: 'array', items: orderStep } }, [
  ...orderSummaryRequired,
  'steps',
]);
export type OrderDetail = ApiType<typeof orderDetail>;
