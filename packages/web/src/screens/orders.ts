/**
 * What the order screens share: the orders of a view with their request record decrypted, the
 * words for each kind's statuses, organisation names instead of numbers, and refusals of a step in
 * plain words (told apart by the error's `reason`).
 */
import {
  type GatewayClient,
  listOrders,
  type Notification,
  type OrderStep,
  type OrderSummary,
  type RecordMetadata,
} from '@medledger/client';
import { type Actor, MedledgerError, type OrderKind, type OrderStatus } from '@medledger/core';
import { useEffect, useRef } from 'react';
import { plainError } from '../errors.ts';
import type { Json } from '../records/fhirText.ts';
import { useSession } from '../session.tsx';

export type { OrderKind, OrderStatus, OrderStep, OrderSummary };

/** An order with its request (ServiceRequest, MedicationRequest, Claim) decrypted, if readable. */
export interface OrderEntry {
  order: OrderSummary;
  request?: Json;
  requestMeta?: RecordMetadata;
  error?: string;
}

export type OrderQuery = Parameters<typeof listOrders>[1];

/**
 * The orders of a view, newest first, each with its request record read and decrypted here; with
 * `stamps`, each request's co-signature stamp too (a read does not carry it, a list of records does).
 */
export async function loadOrders(
  client: GatewayClient<Actor>,
  query: OrderQuery,
  options: { stamps?: boolean } = {},
): Promise<OrderEntry[]> {
  const orders = await listOrders(client, query);
  const entries = await Promise.all(
    orders.map(async (order): Promise<OrderEntry> => {
      try {
        const { record, resource } = await client.readRecord(order.requestRecordId);
        if (options.stamps && !record.stamp) {
          const { recordId: _, ...stamp } = await client.stamp(order.requestRecordId);
          return { order, request: resource as Json, requestMeta: { ...record, stamp } };
        }
        return { order, request: resource as Json, requestMeta: record };
      } catch (error) {
        return { order, error: plainError(error) };
      }
    }),
  );
  return entries.sort((a, b) => b.order.placedAt - a.order.placedAt);
}

/** Open orders can still move: placed, accepted (received), in progress. */
const statusWords: Record<OrderKind, Record<OrderStatus, string>> = {
  lab: {
    placed: 'sent to the lab',
    accepted: 'received',
    in_progress: 'in progress',
    completed: 'completed · result posted',
    cancelled: 'cancelled',
    rejected: 'rejected',
  },
  prescription: {
    placed: 'not dispensed yet',
    accepted: 'accepted',
    in_progress: 'partly dispensed',
    completed: 'dispensed',
    cancelled: 'cancelled',
    rejected: 'rejected',
  },
  claim: {
    placed: 'submitted',
    accepted: 'received by the insurer',
    in_progress: 'under review',
    completed: 'decided',
    cancelled: 'withdrawn',
    rejected: 'rejected',
  },
};

export function statusText(kind: OrderKind, status: OrderStatus): string {
  return statusWords[kind][status];
}

export function statusTone(status: OrderStatus): 'good' | 'bad' | 'warn' | 'neutral' {
  if (status === 'completed') return 'good';
  if (status === 'rejected' || status === 'cancelled') return 'bad';
  if (status === 'in_progress' || status === 'accepted') return 'warn';
  return 'neutral';
}

export const kindLabels: Record<OrderKind, string> = {
  lab: 'Lab test',
  prescription: 'Prescription',
  claim: 'Claim',
};

/** Organisation names by id, from the consortium the session loaded; a number only if unknown. */
export function useOrganisationName(): (id: number | null | undefined) => string {
  const { organisations } = useSession();
  return (id) => {
    if (!id) return 'any pharmacy';
    return organisations.find((o) => o.organisationId === id)?.name ?? `organisation #${id}`;
  };
}

/** Active organisations of a kind, by name, for choosing a performer. */
export function useOrganisationsOfKind(kind: 'lab' | 'pharmacy' | 'insurer') {
  const { organisations } = useSession();
  return organisations
    .filter((o) => o.kind === kind && o.status === 'active')
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The FHIR id of an order's request: the order id without 0x. */
export function requestFhirId(orderId: string): string {
  return orderId.replace(/^0x/, '');
}

/** A refused step in plain words: the chain's reason names what happened (e.g. another pharmacy was first). */
export function plainOrderError(error: unknown, order?: OrderSummary): string {
  if (!(error instanceof MedledgerError)) return plainError(error);
  const remaining = Number(error.fields?.remaining);
  switch (error.reason) {
    case 'order_quantity_exceeded':
      return remaining > 0
        ? `Not dispensed: only ${remaining} remain on this prescription; another pharmacy may have dispensed some in the meantime. The list now shows what is left.`
        : 'Not dispensed: nothing remains on this prescription; another pharmacy dispensed it in the meantime. The list now shows it as dispensed.';
    case 'order_fills_used':
      return 'Not dispensed: every fill of this prescription has already been used; another pharmacy dispensed the last one in the meantime. The list now shows it as dispensed.';
    case 'order_not_open':
      return `Not done: this ${order ? kindLabels[order.kind].toLowerCase() : 'order'} was cancelled or rejected in the meantime. The list now shows its status.`;
    case 'order_invalid_transition':
      return 'Not done: this order has moved on in the meantime. The list now shows its status.';
    case 'order_not_performer':
      return 'Refused: this order was not sent to your organisation.';
    default:
      return plainError(error);
  }
}

const orderUpdateEvent = 'medledger:order-update';

/** Tells the open order screens that an order changed (from the live notifications: order-*). */
export function announceOrderUpdate(notification: Notification): void {
  if (notification.kind.startsWith('order-')) window.dispatchEvent(new Event(orderUpdateEvent));
}

/** Calls `onUpdate` whenever a notification says an order of this identity's changed. */
export function useOrderUpdates(onUpdate: () => void): void {
  const latest = useRef(onUpdate);
  latest.current = onUpdate;
  useEffect(() => {
    const listener = () => latest.current();
    window.addEventListener(orderUpdateEvent, listener);
    return () => window.removeEventListener(orderUpdateEvent, listener);
  }, []);
}

/** An order notification in plain words, from the reader's point of view (ids and addresses only). */
export function describeOrderNotification(
  kind: string,
  data: Record<string, unknown>,
  me: string,
  short: (value: unknown) => string,
): string | undefined {
  const orderKind =
    typeof data.kind === 'string' && data.kind in kindLabels ? (data.kind as OrderKind) : undefined;
  const what = orderKind ? kindLabels[orderKind].toLowerCase() : 'order';
  const forMe = typeof data.patient === 'string' && data.patient.toLowerCase() === me.toLowerCase();
  switch (kind) {
    case 'order-placed':
      return forMe
        ? `${short(data.requester)} placed a ${what} for you.`
        : `New ${what} for your organisation from ${short(data.requester)}.`;
    case 'order-status': {
      const status = typeof data.status === 'string' ? (data.status as OrderStatus) : undefined;
      return `Your ${what} ${short(data.orderId)} is now ${orderKind && status ? statusText(orderKind, status) : String(data.status)}.`;
    }
    case 'order-completed':
      return orderKind === 'claim'
        ? `Your claim ${short(data.orderId)} was decided.`
        : `The result of your ${what} ${short(data.orderId)} is posted.`;
    case 'order-dispensed':
      return `${String(data.quantity)} dispensed on prescription ${short(data.orderId)} (${String(data.dispensed)} in all).`;
    default:
      return undefined;
  }
}
