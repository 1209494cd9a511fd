import { orderStatuses } from '@medledger/core/vocabulary';
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/orders.ts');

/** The options of `order|prescription|claim list`. */
export function listOptions(command: Command, performer: string): Command {
  return command
    .option('--worklist', `the ones sent to your organisation (${performer})`)
    .option('--requested', 'the ones you placed')
    .option('--patient <address>', "a patient's (the patient, or a member whose consent covers them)")
    .option('--status <status>', `only this status: ${orderStatuses.join(', ')}`);
}

export function registerOrders(program: Command): void {
  const order = program
    .command('order')
    .description(
      'Lab orders: a clinician orders a test from a laboratory, the lab receives, works on and posts the result; every step is a signed action on the ledger',
    );

  actingCommand(
    order
      .command('create')
      .description(
        'As a doctor or nurse, order a lab test for a patient from a laboratory organisation (a FHIR ServiceRequest, encrypted as a record of the patient: needs the patient’s consent to add lab records)',
      )
      .requiredOption('--patient <address>', 'the patient')
      .requiredOption('--lab <organisationId>', 'the laboratory organisation (see `medledger org list`)')
      .requiredOption('--test <text>', 'the test, e.g. "Hemoglobin A1c"')
      .option('--loinc <code>', 'its LOINC code, e.g. 4548-4')
      .option('--priority <priority>', 'routine, urgent, asap or stat', 'routine')
      .option('--reason <text>', 'why (kept in the encrypted order)'),
  ).action(lazyAction(load, 'createLabOrder'));

  actingCommand(
    listOptions(
      order
        .command('list')
        .description(
          'List lab orders with their status and test: by default a lab’s worklist for a lab member, the orders you placed for a clinician, your own for a patient',
        ),
      'a lab',
    ),
  ).action(lazyAction(load, 'listLabOrders'));

  actingCommand(
    order
      .command('show')
      .description(
        'Show a lab order: status, test, who ordered it and for which lab, each step with its date, and the result once posted (for its patient, its orderer, the lab, and members whose consent covers lab records)',
      )
      .argument('<orderId>'),
  ).action(lazyAction(load, 'showLabOrder'));

  for (const [name, action, description] of [
    ['accept', 'acceptLabOrder', 'As a member of the order’s lab, mark it received (accepted)'],
    ['start', 'startLabOrder', 'As a member of the order’s lab, mark it in progress'],
    ['reject', 'rejectLabOrder', 'As a member of the order’s lab, reject it (it stays closed)'],
    ['cancel', 'cancelLabOrder', 'As the clinician who ordered it or the patient, cancel an open order'],
  ] as const) {
    actingCommand(order.command(name).description(description).argument('<orderId>')).action(
      lazyAction(load, action),
    );
  }

  actingCommand(
    order
      .command('result')
      .description(
        'As a member of the order’s lab, post its result: a DiagnosticReport and its Observation (test and LOINC code read from the order), anchored with the order’s completion in one transaction; a lab the order was not sent to is refused',
      )
      .argument('<orderId>')
      .requiredOption('--value <number>', 'the measured value, e.g. 7.1')
      .requiredOption('--unit <unit>', 'its unit, e.g. %')
      .option('--low <number>', 'low end of the reference range')
      .option('--high <number>', 'high end of the reference range')
      .option('--conclusion <text>', 'the lab’s conclusion'),
  ).action(lazyAction(load, 'postLabResult'));
}
