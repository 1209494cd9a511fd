import { categories, sensitivities } from '@medledger/core/vocabulary';
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/records.ts');

export function registerRecords(program: Command): void {
  const record = program
    .command('record')
    .description('Health records: encrypted here, anchored on the ledger');

  actingCommand(
    record
      .command('add')
      .description(
        'Check, encrypt, sign and anchor a FHIR R4 resource as a record of a patient (needs an append consent unless you are the patient)',
      )
      .requiredOption('--patient <address>', 'the patient')
      .requiredOption('--category <category>', `one of ${categories.join(', ')}`)
      .option('--sensitivity <level>', `one of ${sensitivities.join(', ')}`, 'normal')
      .requiredOption('--file <fhir.json>', 'the FHIR R4 resource (JSON)')
      .option('--supersedes <recordId>', 'the record this one amends'),
  ).action(lazyAction(load, 'addRecord'));

  actingCommand(
    record
      .command('list')
      .description('List the metadata of a patient’s records that you may see, each final or draft')
      .requiredOption('--patient <address>', 'the patient'),
  ).action(lazyAction(load, 'listRecords'));

  actingCommand(
    record
      .command('rekey')
      .description(
        'As the patient, encrypt a record again under a fresh key as a new version that supersedes it, ' +
          'so that a reader who kept the old key (before a revocation, say) gains nothing new',
      )
      .argument('<recordId>'),
  ).action(lazyAction(load, 'rekeyRecord'));

  actingCommand(
    record
      .command('get')
      .description(
        'Fetch, verify and decrypt a record; prints the FHIR JSON (or writes it to --out) and its stamp ' +
          '(final or draft, and its signers) on standard error',
      )
      .argument('<recordId>')
      .option('--out <file>', 'write the FHIR JSON to this file')
      .option('--purpose <code>', 'purpose of use (HL7 ActReason, e.g. TREAT)', 'TREAT'),
  ).action(lazyAction(load, 'getRecord'));
}
