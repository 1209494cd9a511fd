import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';
import { listOptions } from './orders.ts';

const load = () => import('../actions/prescriptions.ts');

export function registerPrescriptions(program: Command): void {
  const prescription = program
    .command('prescription')
    .description(
      'Prescriptions: a doctor prescribes, a pharmacy the patient allows dispenses fill by fill; the ledger refuses any dispense beyond the quantity, so of two pharmacies at once only one succeeds',
    );

  actingCommand(
    prescription
      .command('create')
      .description(
        'As a doctor, prescribe a medicine to a patient (a FHIR MedicationRequest, encrypted as a record of the patient: needs the patient’s consent to add medication records), optionally to one pharmacy',
      )
      .requiredOption('--patient <address>', 'the patient')
      .requiredOption('--medicine <text>', 'the medicine, e.g. "Metformin 500 mg tablet"')
      .option('--rxnorm <code>', 'its RxNorm code, e.g. 861007')
      .requiredOption('--dose <value unit>', 'each dose, e.g. "1 tablet"')
      .option('--frequency <times/period>', 'how often: 2/d twice a day, 1/8h, 1/wk', '1/d')
      .option('--days <n>', 'how many days to take it')
      .option('--instructions <text>', 'for the patient, e.g. "with meals"')
      .requiredOption('--quantity <n>', 'how much to dispense at each fill, in the dose’s unit')
      .option('--refills <n>', 'fills allowed after the first', '0')
      .option(
        '--pharmacy <organisationId>',
        'only this pharmacy may dispense (default: any the patient allows)',
      ),
  ).action(lazyAction(load, 'createPrescription'));

  actingCommand(
    listOptions(
      prescription
        .command('list')
        .description(
          'List prescriptions with their status, medicine and what was dispensed: by default a pharmacy’s worklist (its own and those of patients who let it read medication records) for a pharmacist, those you wrote for a doctor, your own for a patient',
        ),
      'a pharmacy',
    ),
  ).action(lazyAction(load, 'listPrescriptions'));

  actingCommand(
    prescription
      .command('show')
      .description(
        'Show a prescription: status, medicine and dose, quantity dispensed and fills used, each dispense with its date and pharmacy (for its patient, its prescriber, and pharmacies and members whose consent covers medication)',
      )
      .argument('<orderId>'),
  ).action(lazyAction(load, 'showPrescription'));

  actingCommand(
    prescription
      .command('dispense')
      .description(
        'As a pharmacist of a pharmacy the patient allows (the named one, if any), dispense a fill: a MedicationDispense anchored with the dispense in one transaction; refused once the quantity or the fills are used up, saying who dispensed them',
      )
      .argument('<orderId>')
      .requiredOption('--quantity <n>', 'how much you hand over now'),
  ).action(lazyAction(load, 'dispensePrescription'));

  actingCommand(
    prescription
      .command('cancel')
      .description('As the prescriber or the patient, cancel a prescription that is not fully dispensed')
      .argument('<orderId>'),
  ).action(lazyAction(load, 'cancelPrescription'));
}
