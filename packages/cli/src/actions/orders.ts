/**
 * Lab orders (`order create|list|show|accept|start|reject|cancel|result`), and what the workflow
 * commands share with `prescription` and `claim`: order ids, the list views, the names of parties
 * and statuses, and reading an order's records. The order itself (status, quantities, who acted
 * when) is on the ledger; what was ordered is in its encrypted request record, read here.
 */
import {
  completeOrder,
  type GatewayClient,
  listOrders,
  type Me,
  type OrderSummary,
  type Organisation,
  orderOf,
  placeOrder,
  setOrderStatus,
} from '@medledger/client';
import {
  AccessDeniedError,
  buildDiagnosticReport,
  buildLabOrder,
  buildLabResult,
  ConflictError,
  InvalidInputError,
  isOrderOpen,
  isOrderStatus,
  MedledgerError,
  type MedledgerErrorOptions,
  NotFoundError,
  type OrderKind,
  type OrderStatus,
  orderStatuses,
  reasonOf,
  recordFhirId,
} from '@medledger/core';
import type { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { clientFor, globalOptions, parseAddress, parseInteger } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

export type OrderDetails = Awaited<ReturnType<typeof orderOf>>;
export type OrderStep = OrderDetails['steps'][number];
export type FhirJson = Record<string, unknown>;

/** What a person calls each status of each kind of order. */
const statusWords: Record<OrderKind, Record<OrderStatus, string>> = {
  lab: {
    placed: 'placed',
    accepted: 'received',
    in_progress: 'in progress',
    completed: 'completed (result posted)',
    cancelled: 'cancelled',
    rejected: 'rejected',
  },
  prescription: {
    placed: 'prescribed',
    accepted: 'accepted',
    in_progress: 'partly dispensed',
    completed: 'dispensed',
    cancelled: 'cancelled',
    rejected: 'rejected',
  },
  claim: {
    placed: 'submitted',
    accepted: 'received',
    in_progress: 'in review',
    completed: 'decided',
    cancelled: 'withdrawn',
    rejected: 'rejected',
  },
};

const kindWords: Record<OrderKind, string> = {
  lab: 'lab order',
  prescription: 'prescription',
  claim: 'claim',
};

/** Purpose of use of the reads of each kind's records (HL7 ActReason). */
export const purposeOf: Record<OrderKind, string> = { lab: 'TREAT', prescription: 'TREAT', claim: 'HPAYMT' };

export function statusWord(kind: OrderKind, status: OrderStatus): string {
  return statusWords[kind]?.[status] ?? status;
}

export function kindWord(kind: OrderKind): string {
  return kindWords[kind] ?? kind;
}

/** An order id: its request record id, 0x and 64 hex digits (its FHIR id, without 0x, is accepted too). */
export function parseOrderId(value: string): Hex {
  const hex = /^(0x)?[0-9a-fA-F]{64}$/.test(value) ? value.replace(/^0x/, '') : undefined;
  if (!hex) throw new InvalidInputError(`Invalid order id "${value}": expected 0x and 64 hex digits.`);
  return `0x${hex.toLowerCase()}` as Hex;
}

/** An amount: a number with at most two decimals, not negative. */
export function parseAmount(value: string, what: string): number {
  if (!/^\d{1,12}(\.\d{1,2})?$/.test(value))
    throw new InvalidInputError(`Invalid ${what} "${value}": expected an amount such as 80 or 40.50.`);
  return Number(value);
}

/** A measured value: a decimal number, possibly negative. */
export function parseNumber(value: string, what: string): number {
  if (!/^-?\d{1,15}(\.\d{1,12})?$/.test(value))
    throw new InvalidInputError(`Invalid ${what} "${value}": expected a number such as 7.1.`);
  return Number(value);
}

/** The client of `--as`, who it is, and the consortium's organisations by id (to name parties). */
export interface OrderContext {
  client: GatewayClient;
  me: Me;
  organisations: Map<number, Organisation>;
}

export async function orderContext(command: Command): Promise<OrderContext> {
  const client = await clientFor(command);
  const [me, { organisations }] = await Promise.all([client.me(), client.organisations()]);
  return { client, me, organisations: new Map(organisations.map((org) => [org.organisationId, org])) };
}

/** "City Lab (organisation 2)"; "any pharmacy the patient allows" for none. */
export function organisationName(context: OrderContext, id: number | null, none = 'none'): string {
  if (id === null || id === 0) return none;
  const organisation = context.organisations.get(id);
  return organisation ? `${organisation.name} (organisation ${id})` : `organisation ${id}`;
}

/** An active organisation of `kind`, named by id: the lab, pharmacy or insurer an order goes to. */
export function performerOrganisation(
  context: OrderContext,
  value: string,
  kind: Organisation['kind'],
): number {
  const id = parseInteger(value, `${kind} organisation id`);
  const organisation = context.organisations.get(id);
  if (organisation?.status !== 'active' || organisation.kind !== kind) {
    const candidates = [...context.organisations.values()]
      .filter((org) => org.kind === kind && org.status === 'active')
      .map((org) => `${org.organisationId} (${org.name})`);
    throw new InvalidInputError(
      `Organisation ${id} is not an active ${kind}; ${candidates.length ? `${kind}s: ${candidates.join(', ')}` : `the consortium has no active ${kind}`}.`,
      { reason: 'order_performer_invalid' },
    );
  }
  return id;
}

/** How this identity appears as author in a resource: its address and its organisation's name. */
export function actorDisplay(context: OrderContext): string {
  const member = context.me.member;
  return member
    ? `${context.me.address} (${context.organisations.get(member.organisationId)?.name ?? `organisation ${member.organisationId}`})`
    : context.me.address;
}

/** "2026-12-03 11:40 UTC" for unix seconds. */
export function when(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export interface ListOptions {
  worklist?: boolean;
  requested?: boolean;
  patient?: string;
  status?: string;
}

/**
 * The orders of `kind` of one view: `--worklist` (sent to my organisation), `--requested` (placed by
 * me), `--patient P` (a patient's); without one, a patient's own orders for a patient, the worklist
 * for a member of a lab, pharmacy or insurer, and the orders placed by me for anyone else.
 */
export async function listOrdersOf(
  context: OrderContext,
  kind: OrderKind,
  options: ListOptions,
): Promise<OrderSummary[]> {
  const chosen = [options.worklist, options.requested, options.patient !== undefined].filter(Boolean);
  if (chosen.length > 1)
    throw new InvalidInputError('Give at most one of --worklist, --requested, --patient.');
  if (options.status !== undefined && !isOrderStatus(options.status)) {
    throw new InvalidInputError(
      `Unknown status "${options.status}"; use one of: ${orderStatuses.join(', ')}.`,
    );
  }
  const status = options.status;
  const filter = { kind, ...(status ? { status } : {}) };
  if (options.worklist) return listOrders(context.client, { view: 'worklist', ...filter });
  if (options.requested) return listOrders(context.client, { view: 'requested', ...filter });
  if (options.patient !== undefined) {
    return listOrders(context.client, {
      view: 'patient',
      patient: parseAddress(options.patient, 'patient'),
      ...filter,
    });
  }
  const member = context.me.member;
  if (!member) return listOrders(context.client, { view: 'patient', patient: context.me.address, ...filter });
  const organisationKind = context.organisations.get(member.organisationId)?.kind;
  const performs =
    organisationKind === 'lab' || organisationKind === 'pharmacy' || organisationKind === 'insurer';
  return listOrders(context.client, { view: performs ? 'worklist' : 'requested', ...filter });
}

/**
 * A record's FHIR resource, or undefined when this identity may not read it (no consent for its
 * category, or not found): lists and reports show what they can.
 */
export async function readResource(
  context: OrderContext,
  recordId: Hex,
  purpose: string,
): Promise<FhirJson | undefined> {
  try {
    return (await context.client.readRecord(recordId, purpose)).resource as FhirJson;
  } catch (error) {
    if (error instanceof AccessDeniedError || error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** The order `id`, refused unless it is of `kind` (the other kinds have their own commands). */
export async function orderOfKind(context: OrderContext, id: string, kind: OrderKind): Promise<OrderDetails> {
  const order = await orderOf(context.client, parseOrderId(id));
  if (order.kind !== kind) {
    const command = { lab: 'order', prescription: 'prescription', claim: 'claim' }[order.kind];
    throw new InvalidInputError(
      `${order.orderId} is a ${kindWord(order.kind)}, not a ${kindWord(kind)}: use \`medledger ${command} show\`.`,
      { reason: 'order_kind_mismatch' },
    );
  }
  return order;
}

/** A coded concept as "text (SYSTEM code)". */
export function conceptText(concept: unknown, systemName?: string): string {
  const value = (concept ?? {}) as { text?: string; coding?: { code?: string; display?: string }[] };
  const coding = value.coding?.[0];
  const text = value.text ?? coding?.display ?? coding?.code ?? '?';
  return coding?.code && systemName ? `${text} (${systemName} ${coding.code})` : text;
}

/** The code of a coded concept's first coding. */
export function codeOf(concept: unknown): string | undefined {
  return (concept as { coding?: { code?: string }[] } | undefined)?.coding?.[0]?.code;
}

/** The request records of `orders`, read at once (what a list shows of each). */
export async function readRequests(
  context: OrderContext,
  orders: OrderSummary[],
): Promise<(FhirJson | undefined)[]> {
  return Promise.all(
    orders.map((order) => readResource(context, order.requestRecordId as Hex, purposeOf[order.kind])),
  );
}

/** The lines of an order's history: when, what, by whom. */
export function historyLines(
  context: OrderContext,
  order: OrderDetails,
  extra?: (step: OrderStep) => string,
): string[] {
  return order.steps.map(
    (step) =>
      `  ${when(step.at)}  ${statusWord(order.kind, step.status).padEnd(25)} by ${actorName(context, order, step)}${extra ? extra(step) : ''}`,
  );
}

/** Who took a step: "0x… of City Lab (organisation 2)", "0x… (the patient)". */
export function actorName(context: OrderContext, order: OrderSummary, step: OrderStep): string {
  if (step.actorOrganisation !== null)
    return `${step.actor} of ${organisationName(context, step.actorOrganisation)}`;
  return step.actor.toLowerCase() === order.patient.toLowerCase()
    ? `${step.actor} (the patient)`
    : step.actor;
}

/** The fields every order shows: id, status, patient, who placed it and who performs it, times. */
export function orderHeader(context: OrderContext, order: OrderSummary, performerNone?: string): string[] {
  return [
    `${kindWord(order.kind)} ${order.orderId}`,
    `status     ${statusWord(order.kind, order.status)}`,
    `patient    ${order.patient}`,
    `from       ${order.requester} of ${organisationName(context, order.requesterOrganisation)}`,
    `to         ${organisationName(context, order.performerOrganisation, performerNone)}`,
    `placed     ${when(order.placedAt)}`,
    `updated    ${when(order.updatedAt)}`,
  ];
}

/**
 * Refuses a step on an order that is closed (completed, cancelled or rejected) before signing
 * anything, saying since when; the ledger refuses it too (`order_not_open`), in its own words.
 */
export function refuseUnlessOpen(order: OrderSummary): void {
  if (isOrderOpen(order.status)) return;
  throw new ConflictError(
    `${capitalised(kindWord(order.kind))} ${order.orderId} is ${statusWord(order.kind, order.status)} since ${when(order.updatedAt)}: nothing more can be done to it.`,
    { reason: 'order_not_open', fields: { status: order.status } },
  );
}

/**
 * `error` said again in words about this order, of the same class (hence exit code), reason and
 * fields, with the ledger's own words as details: for refusals a person can act on.
 */
export function rephrase(error: unknown, message: string, metaMessages?: string[]): unknown {
  if (!(error instanceof MedledgerError)) return error;
  const Refusal = error.constructor as new (
    message: string,
    options: MedledgerErrorOptions,
  ) => MedledgerError;
  return new Refusal(message, {
    cause: error,
    ...(metaMessages?.length ? { metaMessages } : {}),
    ...(error.reason ? { reason: error.reason } : {}),
    ...(error.fields ? { fields: error.fields } : {}),
  });
}

/** The ledger's refusals of a status change or a result, in words about `order`. */
export function explainRefusal(
  context: OrderContext,
  order: OrderSummary,
  error: unknown,
  doing: string,
): unknown {
  const what = `${kindWord(order.kind)} ${order.orderId}`;
  switch (reasonOf(error)) {
    case 'order_not_performer':
      return rephrase(
        error,
        `Only a member of ${organisationName(context, order.performerOrganisation)}, which ${what} was sent to, may ${doing}.`,
      );
    case 'order_not_requester_or_patient':
      return rephrase(error, `Only the one who placed ${what} or its patient may ${doing}.`);
    case 'order_invalid_transition':
      return rephrase(
        error,
        `${capitalised(what)} is ${statusWord(order.kind, order.status)}: you cannot ${doing} now.`,
      );
    default:
      return error;
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Where a list of orders is empty: what was looked at. */
export function noOrders(kind: OrderKind): string {
  return `no ${kindWord(kind)}s`;
}

/** The status an action sets, as people say it. */
export function statusChanged(kind: OrderKind, orderId: Hex, status: OrderStatus): string {
  return `${kindWord(kind)} ${orderId} ${statusWord(kind, status)}`;
}

// ---- lab orders ----

const priorities = ['routine', 'urgent', 'asap', 'stat'] as const;
type Priority = (typeof priorities)[number];

export const createLabOrder: ActionHandler = async (options, command: Command) => {
  if (!(priorities as readonly string[]).includes(options.priority)) {
    throw new InvalidInputError(
      `Unknown priority "${options.priority}"; use one of: ${priorities.join(', ')}.`,
    );
  }
  if (options.loinc !== undefined && !/^\d{1,7}-\d$/.test(options.loinc)) {
    throw new InvalidInputError(
      `Invalid LOINC code "${options.loinc}": expected digits, a dash and a check digit (4548-4).`,
    );
  }
  const context = await orderContext(command);
  const patient = parseAddress(options.patient, 'patient');
  const lab = performerOrganisation(context, options.lab, 'lab');
  const resource = buildLabOrder({
    patient,
    test: options.test,
    ...(options.loinc ? { loincCode: options.loinc } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
    priority: options.priority as Priority,
    requester: actorDisplay(context),
  });
  const placed = await placeOrder(context.client, {
    patient,
    kind: 'lab',
    performerOrganisation: lab,
    resource,
  });
  print(
    globalOptions(command),
    { ...placed, kind: 'lab', status: 'placed', patient, performerOrganisation: lab },
    `lab order ${placed.orderId} placed with ${organisationName(context, lab)}: ${options.test}${options.loinc ? ` (LOINC ${options.loinc})` : ''}, ${options.priority}`,
  );
};

export const listLabOrders: ActionHandler = async (options, command: Command) => {
  const context = await orderContext(command);
  const orders = await listOrdersOf(context, 'lab', options);
  const requests = await readRequests(context, orders);
  print(
    globalOptions(command),
    { orders: orders.map((order, index) => ({ ...order, test: labTest(requests[index]) ?? null })) },
    () =>
      orders
        .map(
          (order, index) =>
            `${order.orderId}  ${statusWord('lab', order.status).padEnd(25)}  ${labTest(requests[index]) ?? '(not readable by you)'}  patient ${order.patient}  lab ${organisationName(context, order.performerOrganisation)}  placed ${when(order.placedAt)}`,
        )
        .join('\n') || noOrders('lab'),
  );
};

function labTest(request: FhirJson | undefined): string | undefined {
  return request ? conceptText(request.code, 'LOINC') : undefined;
}

export const showLabOrder: ActionHandler = async (id: string, _options, command: Command) => {
  const context = await orderContext(command);
  const order = await orderOfKind(context, id, 'lab');
  const [request, ...results] = await Promise.all(
    [order.requestRecordId, ...order.resultRecordIds].map((recordId) =>
      readResource(context, recordId as Hex, 'TREAT'),
    ),
  );
  // A co-signature policy on lab records keeps the result a draft until a doctor co-signs it.
  const report = order.resultRecordIds[0];
  const stamp = report ? await context.client.stamp(report as Hex) : undefined;
  print(
    globalOptions(command),
    {
      ...order,
      request: request ?? null,
      results: results.map((r) => r ?? null),
      resultStatus: stamp?.status ?? null,
    },
    () =>
      [
        ...orderHeader(context, order),
        `test       ${request ? `${labTest(request)}, ${String(request.priority ?? 'routine')}` : '(not readable by you)'}`,
        ...(request && Array.isArray(request.reasonCode)
          ? [`reason     ${conceptText(request.reasonCode[0])}`]
          : []),
        ...describeLabResults(order, results, stamp?.status),
        'history',
        ...historyLines(context, order, (step) => (step.recordId ? `  record ${step.recordId}` : '')),
      ].join('\n'),
  );
};

function describeLabResults(
  order: OrderDetails,
  results: (FhirJson | undefined)[],
  stamp: string | undefined,
): string[] {
  if (order.resultRecordIds.length === 0) return [];
  const draft = stamp === 'draft' ? ', a draft until co-signed (medledger record sign)' : '';
  const lines = [`result     record ${order.resultRecordIds[0]} (${stamp ?? 'final'}${draft})`];
  results.forEach((resource, index) => {
    if (!resource) {
      lines.push(`  record ${order.resultRecordIds[index]} (not readable by you)`);
    } else if (resource.resourceType === 'Observation') {
      lines.push(`  ${conceptText(resource.code)}: ${observationValue(resource)}`);
    } else if (resource.resourceType === 'DiagnosticReport' && typeof resource.conclusion === 'string') {
      lines.push(`  conclusion: ${resource.conclusion}`);
    }
  });
  return lines;
}

function observationValue(observation: FhirJson): string {
  const quantity = observation.valueQuantity as { value?: number; unit?: string } | undefined;
  const range = (
    observation.referenceRange as { low?: { value?: number }; high?: { value?: number } }[] | undefined
  )?.[0];
  const value = quantity ? `${quantity.value} ${quantity.unit ?? ''}`.trim() : '?';
  if (!range) return value;
  const low = range.low?.value;
  const high = range.high?.value;
  const flag =
    quantity?.value === undefined
      ? ''
      : low !== undefined && quantity.value < low
        ? ' LOW'
        : high !== undefined && quantity.value > high
          ? ' HIGH'
          : '';
  return `${value} (reference ${low ?? ''}–${high ?? ''})${flag}`;
}

/** `order accept|start|reject|cancel ID`, and the same for prescriptions and claims. */
export function changeStatus(
  kind: OrderKind,
  status: 'accepted' | 'in_progress' | 'rejected' | 'cancelled',
): ActionHandler {
  return async (id: string, _options, command: Command) => {
    const context = await orderContext(command);
    const order = await orderOfKind(context, id, kind);
    refuseUnlessOpen(order);
    const doing = {
      accepted: 'accept it',
      in_progress: 'start it',
      rejected: 'reject it',
      cancelled: 'cancel it',
    }[status];
    const result = await setOrderStatus(context.client, { orderId: order.orderId as Hex, status }).catch(
      (error) => {
        throw explainRefusal(context, order, error, doing);
      },
    );
    print(globalOptions(command), result, statusChanged(kind, order.orderId as Hex, status));
  };
}

export const acceptLabOrder = changeStatus('lab', 'accepted');
export const startLabOrder = changeStatus('lab', 'in_progress');
export const rejectLabOrder = changeStatus('lab', 'rejected');
export const cancelLabOrder = changeStatus('lab', 'cancelled');

export const postLabResult: ActionHandler = async (id: string, options, command: Command) => {
  const value = parseNumber(options.value, '--value');
  const low = options.low === undefined ? undefined : parseNumber(options.low, '--low');
  const high = options.high === undefined ? undefined : parseNumber(options.high, '--high');
  const context = await orderContext(command);
  const order = await orderOfKind(context, id, 'lab');
  refuseUnlessOpen(order);
  const request = await readResource(context, order.requestRecordId as Hex, 'TREAT');
  if (!request) {
    throw new AccessDeniedError(
      `You may not read lab order ${order.orderId}: the patient's consent must let your organisation read lab records.`,
      { reason: 'order_request_unreadable' },
    );
  }
  const code = request.code as { text?: string; coding?: { code?: string }[] } | undefined;
  const test = conceptText(code);
  const loincCode = code?.coding?.[0]?.code;
  const orderFhirId = recordFhirId(order.orderId as Hex);
  const performer = actorDisplay(context);
  const observation = buildLabResult({
    patient: order.patient as Address,
    orderId: orderFhirId,
    test,
    ...(loincCode ? { loincCode } : {}),
    value,
    unit: options.unit,
    ...(low !== undefined ? { low } : {}),
    ...(high !== undefined ? { high } : {}),
    performer,
  });
  const report = buildDiagnosticReport({
    patient: order.patient as Address,
    orderId: orderFhirId,
    test,
    ...(loincCode ? { loincCode } : {}),
    results: [observation],
    ...(options.conclusion ? { conclusion: options.conclusion } : {}),
    performer,
  });
  const result = await completeOrder(context.client, {
    orderId: order.orderId as Hex,
    resources: [report, observation],
  }).catch((error) => {
    throw explainRefusal(context, order, error, 'post its result');
  });
  print(globalOptions(command), { ...result, status: 'completed' }, () =>
    [
      `result posted for lab order ${order.orderId}: ${test} ${observationValue(observation)}`,
      `report      ${result.resultRecordIds[0]}`,
      ...result.resultRecordIds.slice(1).map((recordId) => `observation ${recordId}`),
      `status      ${statusWord('lab', 'completed')}`,
    ].join('\n'),
  );
};
