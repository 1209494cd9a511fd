/**
 * Insurance claims (`claim coverage|submit|list|show|respond`): the patient (or the hospital) records
 * the patient's Coverage; after an encounter the hospital submits a Claim to the patient's insurer
 * under the patient's consent; the insurer answers with a ClaimResponse (approved, partly, denied).
 */
import { completeOrder, type OrderSummary, placeOrder } from '@medledger/client';
import {
  AccessDeniedError,
  buildClaim,
  buildClaimResponse,
  buildCoverage,
  type ClaimDecision,
  type ClaimItemInput,
  claimDecisionOf,
  InvalidInputError,
  recordFhirId,
} from '@medledger/core';
import type { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { globalOptions, parseAddress } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';
import {
  changeStatus,
  codeOf,
  conceptText,
  explainRefusal,
  type FhirJson,
  historyLines,
  listOrdersOf,
  noOrders,
  type OrderContext,
  orderContext,
  orderHeader,
  orderOfKind,
  organisationName,
  parseAmount,
  performerOrganisation,
  readRequests,
  readResource,
  refuseUnlessOpen,
  statusWord,
  when,
} from './orders.ts';
import { parseRecordId } from './records.ts';

/** "CODE:DESCRIPTION:AMOUNT" (the description may hold colons). */
function parseItem(value: string): ClaimItemInput {
  const first = value.indexOf(':');
  const last = value.lastIndexOf(':');
  const code = value.slice(0, first).trim();
  const description = value.slice(first + 1, last).trim();
  if (first < 1 || last <= first || !description || !/^[A-Za-z0-9.-]{1,32}$/.test(code)) {
    throw new InvalidInputError(
      `Invalid --item "${value}": expected CODE:DESCRIPTION:AMOUNT, e.g. "99213:Consultation:80".`,
    );
  }
  return { code, description, amount: parseAmount(value.slice(last + 1).trim(), 'item amount') };
}

function money(value: number, currency: string): string {
  return `${value.toFixed(2)} ${currency}`;
}

function parseCurrency(value: string): string {
  if (!/^[A-Za-z]{3}$/.test(value))
    throw new InvalidInputError(`Invalid --currency "${value}": expected an ISO 4217 code such as EUR.`);
  return value.toUpperCase();
}

function organisationOf(context: OrderContext): { organisationId: number; name: string } {
  const member = context.me.member;
  if (!member)
    throw new AccessDeniedError('Only a member of an organisation may do this.', { reason: 'not_member' });
  return {
    organisationId: member.organisationId,
    name: context.organisations.get(member.organisationId)?.name ?? `organisation ${member.organisationId}`,
  };
}

export const addCoverage: ActionHandler = async (options, command: Command) => {
  const context = await orderContext(command);
  const insurer = performerOrganisation(context, options.insurer, 'insurer');
  const patient =
    options.patient === undefined ? context.me.address : parseAddress(options.patient, 'patient');
  const resource = buildCoverage({
    patient,
    insurer: context.organisations.get(insurer)?.name ?? `organisation ${insurer}`,
    insurerOrganisation: insurer,
    ...(options.memberId ? { subscriberId: options.memberId } : {}),
  });
  const added = await context.client.addRecord({ patient, category: 'insurance', resource });
  print(
    globalOptions(command),
    { ...added, insurerOrganisation: insurer },
    `coverage record ${added.recordId}: ${organisationName(context, insurer)}${options.memberId ? `, member ${options.memberId}` : ''}`,
  );
};

/**
 * The FHIR id of the patient's Coverage by `insurer` that this identity may read, newest first;
 * undefined when there is none it can see (the claim then names the insurer's identifier).
 */
async function findCoverage(
  context: OrderContext,
  patient: Address,
  insurer: number,
): Promise<Hex | undefined> {
  const { records } = await context.client.listRecords(patient);
  const insurance = records
    .filter((record) => record.category === 'insurance')
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, 10);
  for (const record of insurance) {
    const resource = await readResource(context, record.recordId as Hex, 'HPAYMT');
    const payors =
      resource?.resourceType === 'Coverage' ? (resource.payor as FhirJson[] | undefined) : undefined;
    const paidBy = payors?.some(
      (payor) => (payor.identifier as FhirJson | undefined)?.value === String(insurer),
    );
    if (paidBy && resource?.status === 'active') return record.recordId as Hex;
  }
  return undefined;
}

export const submitClaim: ActionHandler = async (options, command: Command) => {
  const items = (options.item as string[]).map(parseItem);
  if (items.length === 0) throw new InvalidInputError('Give at least one --item CODE:DESCRIPTION:AMOUNT.');
  const currency = parseCurrency(options.currency);
  const encounter = options.encounter === undefined ? undefined : parseRecordId(options.encounter);
  const context = await orderContext(command);
  const patient = parseAddress(options.patient, 'patient');
  const insurer = performerOrganisation(context, options.insurer, 'insurer');
  const provider = organisationOf(context);
  const coverage =
    options.coverage === undefined
      ? await findCoverage(context, patient, insurer)
      : parseRecordId(options.coverage);
  const resource = buildClaim({
    patient,
    provider: provider.name,
    providerOrganisation: provider.organisationId,
    insurer: context.organisations.get(insurer)?.name ?? `organisation ${insurer}`,
    insurerOrganisation: insurer,
    ...(coverage ? { coverage: recordFhirId(coverage) } : {}),
    items,
    currency,
    ...(encounter ? { encounter: recordFhirId(encounter) } : {}),
  });
  const placed = await placeOrder(context.client, {
    patient,
    kind: 'claim',
    performerOrganisation: insurer,
    resource,
  });
  const total = (resource.total as { value: number }).value;
  print(
    globalOptions(command),
    {
      ...placed,
      kind: 'claim',
      status: 'placed',
      patient,
      performerOrganisation: insurer,
      total: { value: total, currency },
      coverageRecordId: coverage ?? null,
    },
    `claim ${placed.orderId} submitted to ${organisationName(context, insurer)}: ${items.length} item${items.length === 1 ? '' : 's'}, ${money(total, currency)}${coverage ? `, coverage record ${coverage}` : ', coverage not on record'}`,
  );
};

interface ClaimFacts {
  total?: { value: number; currency: string };
  decision?: ClaimDecision;
  benefit?: number;
  disposition?: string;
}

function claimFacts(claim: FhirJson | undefined, response: FhirJson | undefined): ClaimFacts {
  const total = claim?.total as { value?: number; currency?: string } | undefined;
  const benefit = (
    response?.total as { category?: FhirJson; amount?: { value?: number } }[] | undefined
  )?.find((line) => codeOf(line.category) === 'benefit');
  const decision = claimDecisionOf(response);
  return {
    ...(total?.value !== undefined ? { total: { value: total.value, currency: total.currency ?? '' } } : {}),
    ...(decision ? { decision } : {}),
    ...(benefit?.amount?.value !== undefined ? { benefit: benefit.amount.value } : {}),
    ...(typeof response?.disposition === 'string' ? { disposition: response.disposition } : {}),
  };
}

const decisionWords: Record<ClaimDecision, string> = {
  approved: 'approved',
  partial: 'partly approved',
  denied: 'denied',
};

/** "decided: partly approved, 100.00 of 120.50 EUR paid", or the status while undecided. */
function claimState(order: OrderSummary, facts: ClaimFacts): string {
  const total = facts.total ? money(facts.total.value, facts.total.currency) : '?';
  if (order.status !== 'completed' || !facts.decision)
    return `${statusWord('claim', order.status)}, ${total} claimed`;
  const paid = (facts.benefit ?? 0).toFixed(2);
  return `${decisionWords[facts.decision]}, ${paid} of ${total} paid`;
}

async function readResponses(
  context: OrderContext,
  orders: OrderSummary[],
): Promise<(FhirJson | undefined)[]> {
  return Promise.all(
    orders.map((order) =>
      order.resultRecordIds[0] ? readResource(context, order.resultRecordIds[0] as Hex, 'HPAYMT') : undefined,
    ),
  );
}

export const listClaims: ActionHandler = async (options, command: Command) => {
  const context = await orderContext(command);
  const orders = await listOrdersOf(context, 'claim', options);
  const [claims, responses] = await Promise.all([
    readRequests(context, orders),
    readResponses(context, orders),
  ]);
  const facts = orders.map((_, index) => claimFacts(claims[index], responses[index]));
  print(
    globalOptions(command),
    { orders: orders.map((order, index) => ({ ...order, ...facts[index] })) },
    () =>
      orders
        .map(
          (order, index) =>
            `${order.orderId}  ${claimState(order, facts[index] ?? {})}  patient ${order.patient}  ${organisationName(context, order.requesterOrganisation)} -> ${organisationName(context, order.performerOrganisation)}  submitted ${when(order.placedAt)}`,
        )
        .join('\n') || noOrders('claim'),
  );
};

export const showClaim: ActionHandler = async (id: string, _options, command: Command) => {
  const context = await orderContext(command);
  const order = await orderOfKind(context, id, 'claim');
  const [claim, response] = await Promise.all([
    readResource(context, order.requestRecordId as Hex, 'HPAYMT'),
    order.resultRecordIds[0] ? readResource(context, order.resultRecordIds[0] as Hex, 'HPAYMT') : undefined,
  ]);
  const facts = claimFacts(claim, response);
  print(
    globalOptions(command),
    { ...order, ...facts, request: claim ?? null, response: response ?? null },
    () =>
      [
        ...orderHeader(context, order),
        `claim      ${claimState(order, facts)}`,
        ...(claim ? describeItems(claim, response) : ['items      (not readable by you)']),
        ...(facts.disposition ? [`decision   ${facts.disposition}`] : []),
        ...(order.resultRecordIds[0] ? [`response   record ${order.resultRecordIds[0]}`] : []),
        'history',
        ...historyLines(context, order),
      ].join('\n'),
  );
};

function describeItems(claim: FhirJson, response: FhirJson | undefined): string[] {
  const currency = (claim.total as { currency?: string } | undefined)?.currency ?? '';
  const adjudicated = new Map(
    (
      (response?.item as {
        itemSequence: number;
        adjudication: { category: FhirJson; amount?: { value: number } }[];
      }[]) ?? []
    ).map((item) => [
      item.itemSequence,
      item.adjudication.find((a) => codeOf(a.category) === 'benefit')?.amount?.value,
    ]),
  );
  const items =
    (claim.item as { sequence: number; productOrService: FhirJson; net?: { value: number } }[]) ?? [];
  return [
    'items',
    ...items.map((item) => {
      const code = (item.productOrService.coding as { code?: string }[] | undefined)?.[0]?.code ?? '';
      const paid = adjudicated.get(item.sequence);
      return `  ${item.sequence}. ${code} ${conceptText(item.productOrService)}  ${money(item.net?.value ?? 0, currency)}${paid !== undefined ? `  paid ${money(paid, currency)}` : ''}`;
    }),
  ];
}

const outcomes: Record<string, ClaimDecision> = {
  approved: 'approved',
  partial: 'partial',
  denied: 'denied',
};

export const respondToClaim: ActionHandler = async (id: string, options, command: Command) => {
  const decision = outcomes[options.outcome];
  if (!decision)
    throw new InvalidInputError(`Unknown --outcome "${options.outcome}"; use approved, partial or denied.`);
  const benefit = options.amount === undefined ? undefined : parseAmount(options.amount, '--amount');
  if (decision === 'partial' && benefit === undefined)
    throw new InvalidInputError('A partial approval needs --amount: what the insurer pays.');
  const context = await orderContext(command);
  const order = await orderOfKind(context, id, 'claim');
  refuseUnlessOpen(order);
  const claim = await readResource(context, order.requestRecordId as Hex, 'HPAYMT');
  if (!claim) {
    throw new AccessDeniedError(
      `You may not read claim ${order.orderId}: the patient's consent must let your organisation read insurance records.`,
      { reason: 'order_request_unreadable' },
    );
  }
  const insurer = organisationOf(context);
  const response = buildClaimResponse({
    patient: order.patient as Address,
    claim,
    claimId: recordFhirId(order.orderId as Hex),
    insurer: insurer.name,
    insurerOrganisation: insurer.organisationId,
    decision,
    ...(benefit !== undefined ? { benefit } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
  });
  const result = await completeOrder(context.client, {
    orderId: order.orderId as Hex,
    resources: [response],
  }).catch((error) => {
    throw explainRefusal(context, order, error, 'decide it');
  });
  const facts = claimFacts(claim, response);
  print(globalOptions(command), { ...result, status: 'completed', ...facts }, () =>
    [
      `claim ${order.orderId} ${claimState({ ...order, status: 'completed' }, facts)}${options.reason ? ` (${options.reason})` : ''}`,
      `response   record ${result.resultRecordIds[0]}`,
    ].join('\n'),
  );
};

export const acceptClaim = changeStatus('claim', 'accepted');
export const startClaim = changeStatus('claim', 'in_progress');
export const rejectClaim = changeStatus('claim', 'rejected');
export const cancelClaim = changeStatus('claim', 'cancelled');
