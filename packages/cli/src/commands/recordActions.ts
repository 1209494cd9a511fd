import { categories } from '@medledger/core/vocabulary';
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/recordActions.ts');

/** `record copy|duplicate|move`, on the `record` command group `registerRecords` made. */
export function registerRecordActions(program: Command): void {
  const record = program.commands.find((command) => command.name() === 'record');
  if (!record) throw new Error('registerRecords must run before registerRecordActions');

  actingCommand(
    record
      .command('copy')
      .description(
        'Copy a record for another organisation (e.g. into a referral): its members may then read the copy. ' +
          'Who may: the patient, or a holder of a consent with the share action over the record',
      )
      .argument('<recordId>')
      .requiredOption('--to-organisation <id>', 'the organisation whose members may read the copy')
      .option('--referral', 'note the copy as part of a referral')
      .option('--purpose <code>', 'purpose of use the source is read under (HL7 ActReason)', 'TREAT'),
  ).action(lazyAction(load, 'copyRecord'));

  actingCommand(
    record
      .command('duplicate')
      .description(
        'Duplicate a record in the same patient’s chart (e.g. as part of a transfer summary). ' +
          'Who may: the patient, or anyone who may read the record',
      )
      .argument('<recordId>')
      .option(
        '--category <category>',
        `the duplicate's category, one of ${categories.join(', ')} (default: the source's)`,
      )
      .option('--purpose <code>', 'purpose of use the source is read under (HL7 ActReason)', 'TREAT'),
  ).action(lazyAction(load, 'duplicateRecord'));

  actingCommand(
    record
      .command('move')
      .description(
        'Move a record filed in the wrong patient’s chart to the right patient: a new record of that patient, ' +
          'and the record in the wrong chart is erased. Who may: the record’s author, or an admin of its ' +
          'organisation (both patients are told)',
      )
      .argument('<recordId>')
      .requiredOption('--to-patient <address>', 'the patient the record belongs to')
      .option('--purpose <code>', 'purpose of use the source is read under (HL7 ActReason)', 'TREAT'),
  ).action(lazyAction(load, 'moveRecord'));
}
