/**
 * Prescriptions (`prescription create|list|show|dispense|cancel`): a doctor prescribes to a patient,
 * optionally to one pharmacy; a pharmacy the patient allows dispenses, fill by fill, never beyond the
 * quantity: the ledger decides, so that of two pharmacies dispensing at once only one succeeds.
 */
import { dispenseOrder, type OrderSummary, placeOrder } from '@medledger/client';
import {
  AccessDeniedError,
  buildDispense,
  buildPrescriptionOrder,
  ConflictError,
  InvalidInputError,
  type PeriodUnit,
  reasonOf,
  recordFhirId,
} from '@medledger/core';
import type { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { globalOptions, parseAddress, parseInteger } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';
import {
  actorDisplay,
  changeStatus,
  conceptText,
  explainRefusal,
  type FhirJson,
  historyLines,
  listOrdersOf,
  noOrders,
  type OrderContext,
  type OrderDetails,
  orderContext,
  orderHeader,
  orderOfKind,
  organisationName,
  performerOrganisation,
  readRequests,
  readResource,
  rephrase,
  statusWord,
  when,
} from './orders.ts';

const anyPharmacy = 'any pharmacy the patient allows';

/** "1 tablet": a dose as value and unit. */
function parseDose(value: string): { doseValue: number; doseUnit: string } {
  const match = /^(\d{1,6}(?:\.\d{1,3})?)\s+(\S.{0,39})$/.exec(value.trim());
  if (!match)
    throw new InvalidInputError(`Invalid --dose "${value}": expected a value and a unit, e.g. "1 tablet".`);
  return { doseValue: Number(match[1]), doseUnit: (match[2] ?? '').trim() };
}

/** "2/d" (twice a day), "1/8h" (every 8 hours), "1/wk": how often. */
function parseFrequency(value: string): { timesPerPeriod: number; period: number; periodUnit: PeriodUnit } {
  const match = /^(\d{1,2})\/(\d{0,3})(h|d|wk)$/.exec(value.trim());
  if (!match || Number(match[1]) === 0 || match[2] === '0') {
    throw new InvalidInputError(
      `Invalid --frequency "${value}": expected TIMES/PERIOD such as 2/d (twice a day), 1/8h or 1/wk.`,
    );
  }
  return {
    timesPerPeriod: Number(match[1]),
    period: match[2] ? Number(match[2]) : 1,
    periodUnit: match[3] as PeriodUnit,
  };
}

export const createPrescription: ActionHandler = async (options, command: Command) => {
  const dose = parseDose(options.dose);
  const frequency = parseFrequency(options.frequency);
  const quantity = parseInteger(options.quantity, '--quantity');
  const refills = parseInteger(options.refills, '--refills');
  if (quantity < 1) throw new InvalidInputError('--quantity must be at least 1.');
  if (refills > 99) throw new InvalidInputError('--refills must be at most 99.');
  const durationDays = options.days === undefined ? undefined : parseInteger(options.days, '--days');
  const context = await orderContext(command);
  const patient = parseAddress(options.patient, 'patient');
  const pharmacy =
    options.pharmacy === undefined ? undefined : performerOrganisation(context, options.pharmacy, 'pharmacy');
  const resource = buildPrescriptionOrder({
    patient,
    medicine: options.medicine,
    ...(options.rxnorm ? { rxnormCode: options.rxnorm } : {}),
    ...dose,
    ...frequency,
    ...(durationDays ? { durationDays } : {}),
    ...(options.instructions ? { instructions: options.instructions } : {}),
    prescriber: actorDisplay(context),
    quantity,
    unit: dose.doseUnit,
    refills,
    ...(pharmacy
      ? { pharmacy: { organisationId: pharmacy, name: context.organisations.get(pharmacy)?.name ?? '' } }
      : {}),
  });
  const fills = refills + 1;
  const placed = await placeOrder(context.client, {
    patient,
    kind: 'prescription',
    ...(pharmacy ? { performerOrganisation: pharmacy } : {}),
    resource,
    quantity: quantity * fills,
    fills,
  });
  print(
    globalOptions(command),
    {
      ...placed,
      kind: 'prescription',
      status: 'placed',
      patient,
      performerOrganisation: pharmacy ?? null,
      quantity: quantity * fills,
      fills,
    },
    `prescription ${placed.orderId}: ${options.medicine}, ${quantity} ${dose.doseUnit} a fill, ${fills} fill${fills === 1 ? '' : 's'} (${quantity * fills} in all), at ${pharmacy ? organisationName(context, pharmacy) : anyPharmacy}`,
  );
};

function medicine(request: FhirJson | undefined): string | undefined {
  return request ? conceptText(request.medicationCodeableConcept, 'RxNorm') : undefined;
}

function unitOf(request: FhirJson | undefined): string {
  const dispense = request?.dispenseRequest as { quantity?: { unit?: string } } | undefined;
  const dosage = (
    request?.dosageInstruction as { doseAndRate?: { doseQuantity?: { unit?: string } }[] }[] | undefined
  )?.[0];
  return dispense?.quantity?.unit ?? dosage?.doseAndRate?.[0]?.doseQuantity?.unit ?? 'unit';
}

/** "30 of 60 tablet dispensed, fill 1 of 2". */
function progress(order: OrderSummary, unit: string): string {
  return `${order.dispensed} of ${order.quantity} ${unit} dispensed, fill ${order.fillsUsed} of ${order.fills}`;
}

export const listPrescriptions: ActionHandler = async (options, command: Command) => {
  const context = await orderContext(command);
  const orders = await listOrdersOf(context, 'prescription', options);
  const requests = await readRequests(context, orders);
  print(
    globalOptions(command),
    { orders: orders.map((order, index) => ({ ...order, medicine: medicine(requests[index]) ?? null })) },
    () =>
      orders
        .map(
          (order, index) =>
            `${order.orderId}  ${statusWord('prescription', order.status).padEnd(17)}  ${medicine(requests[index]) ?? '(not readable by you)'}  ${progress(order, unitOf(requests[index]))}  patient ${order.patient}  at ${organisationName(context, order.performerOrganisation, anyPharmacy)}  prescribed ${when(order.placedAt)}`,
        )
        .join('\n') || noOrders('prescription'),
  );
};

export const showPrescription: ActionHandler = async (id: string, _options, command: Command) => {
  const context = await orderContext(command);
  const order = await orderOfKind(context, id, 'prescription');
  const request = await readResource(context, order.requestRecordId as Hex, 'TREAT');
  const unit = unitOf(request);
  const dosage = (request?.dosageInstruction as FhirJson[] | undefined)?.[0];
  print(globalOptions(command), { ...order, request: request ?? null }, () =>
    [
      ...orderHeader(context, order, anyPharmacy),
      `medicine   ${medicine(request) ?? '(not readable by you)'}`,
      ...(dosage ? [`dose       ${describeDosage(dosage)}`] : []),
      `dispensed  ${progress(order, unit)}`,
      'history',
      ...historyLines(context, order, (step) => (step.quantity ? `  ${step.quantity} ${unit}` : '')),
    ].join('\n'),
  );
};

function describeDosage(dosage: FhirJson): string {
  const dose = (dosage.doseAndRate as { doseQuantity?: { value?: number; unit?: string } }[] | undefined)?.[0]
    ?.doseQuantity;
  const repeat = (dosage.timing as { repeat?: { frequency?: number; period?: number; periodUnit?: string } })
    ?.repeat;
  const often = repeat
    ? `${repeat.frequency ?? 1} time${repeat.frequency === 1 ? '' : 's'} every ${repeat.period === 1 ? '' : `${repeat.period} `}${{ h: 'hour', d: 'day', wk: 'week' }[repeat.periodUnit ?? ''] ?? repeat.periodUnit}`
    : '';
  const instruction = typeof dosage.patientInstruction === 'string' ? `, ${dosage.patientInstruction}` : '';
  return `${dose ? `${dose.value} ${dose.unit ?? ''}`.trim() : '?'} ${often}${instruction}`.trim();
}

/** Reasons of a dispense the ledger refused because the prescription was (or became) used up. */
const usedUpReasons = new Set([
  'order_quantity_exceeded',
  'order_fills_used',
  'order_not_open',
  'order_invalid_transition',
]);

export const dispensePrescription: ActionHandler = async (id: string, options, command: Command) => {
  const quantity = parseInteger(options.quantity, '--quantity');
  if (quantity < 1) throw new InvalidInputError('--quantity must be at least 1.');
  const context = await orderContext(command);
  const order = await orderOfKind(context, id, 'prescription');
  const request = await readResource(context, order.requestRecordId as Hex, 'TREAT');
  const unit = unitOf(request);
  if (order.status !== 'placed' && order.status !== 'accepted' && order.status !== 'in_progress') {
    const closed = new ConflictError('Nothing was sent to the ledger.', { reason: 'order_not_open' });
    throw await explainRefusedDispense(context, order, quantity, unit, closed);
  }
  if (!request) {
    throw new AccessDeniedError(
      `You may not read prescription ${order.orderId}: the patient's consent must let your pharmacy read and add medication records.`,
      { reason: 'order_request_unreadable' },
    );
  }
  const resource = buildDispense({
    patient: order.patient as Address,
    // The dispense names the prescription by the order's FHIR id, the id every workflow uses.
    prescription: { ...request, id: recordFhirId(order.orderId as Hex) },
    quantity,
    unit,
    pharmacist: actorDisplay(context),
  });
  let result: Awaited<ReturnType<typeof dispenseOrder>>;
  try {
    result = await dispenseOrder(context.client, { orderId: order.orderId as Hex, quantity, resource });
  } catch (error) {
    if (!usedUpReasons.has(reasonOf(error))) throw explainRefusal(context, order, error, 'dispense it');
    throw await explainRefusedDispense(context, order, quantity, unit, error);
  }
  const fillsUsed = Math.min(order.fillsUsed + 1, order.fills);
  print(
    globalOptions(command),
    { ...result, quantity, fillsUsed, fills: order.fills, total: order.quantity },
    () =>
      [
        `dispensed ${quantity} ${unit} of ${medicine(request)} (prescription ${order.orderId})`,
        `${result.dispensed} of ${order.quantity} ${unit} dispensed, fill ${fillsUsed} of ${order.fills}: ${statusWord('prescription', result.status)}`,
      ].join('\n'),
  );
};

/**
 * The prescription as the gateway has indexed it after the ledger refused a dispense of `before`:
 * the winning dispense of another pharmacy may reach the index a moment after the refusal, so this
 * waits (up to 5 s) for the index to show a change when what it showed before allowed the dispense.
 */
async function dispensedSince(
  context: OrderContext,
  before: OrderDetails,
  quantity: number,
): Promise<OrderDetails> {
  const allowedBefore =
    before.status !== 'completed' &&
    before.status !== 'cancelled' &&
    before.status !== 'rejected' &&
    before.fillsUsed < before.fills &&
    before.dispensed + quantity <= before.quantity;
  const deadline = Date.now() + (allowedBefore ? 5000 : 0);
  for (;;) {
    const order = await orderOfKind(context, before.orderId, 'prescription').catch(() => before);
    const changed =
      order.dispensed !== before.dispensed ||
      order.fillsUsed !== before.fillsUsed ||
      order.status !== before.status;
    if (changed || Date.now() > deadline) return order;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The ledger refused a dispense: says in plain words what the prescription had left (read again now,
 * as another pharmacy may have dispensed meanwhile) and who dispensed it, keeping the refusal's reason.
 */
async function explainRefusedDispense(
  context: OrderContext,
  before: OrderDetails,
  quantity: number,
  unit: string,
  error: unknown,
): Promise<unknown> {
  const order = await dispensedSince(context, before, quantity);
  const me = context.me.address.toLowerCase();
  const dispenses = order.steps.filter((step) => step.quantity);
  const byOthers = dispenses.filter((step) => step.actor.toLowerCase() !== me);
  const who = dispenses
    .map(
      (step) =>
        `${step.quantity} ${unit} on ${when(step.at)} by ${step.actor.toLowerCase() === me ? 'you' : `another pharmacy: ${step.actorOrganisation === null ? '' : `${organisationName(context, step.actorOrganisation)}, `}pharmacist ${step.actor}`}`,
    )
    .join('; ');
  const remaining = order.quantity - order.dispensed;
  const state =
    order.status === 'cancelled' || order.status === 'rejected'
      ? `was ${order.status}`
      : remaining <= 0 || order.fillsUsed >= order.fills
        ? `was already dispensed in full (${progress(order, unit)})`
        : `has only ${remaining} ${unit} left to dispense (${progress(order, unit)})`;
  const others =
    byOthers.length === 0
      ? ''
      : byOthers.length < dispenses.length
        ? ', partly by another pharmacy'
        : ', by another pharmacy';
  const message = `Not dispensed: prescription ${order.orderId} ${state}${others}; you asked for ${quantity} ${unit}.`;
  return rephrase(error, message, who ? [`Dispensed: ${who}.`] : undefined);
}

export const cancelPrescription = changeStatus('prescription', 'cancelled');
