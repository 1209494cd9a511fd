import { categories, sensitivities } from '@medledger/core/vocabulary';
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/records.ts');
const loadLifecycle = () => import('../actions/recordLifecycle.ts');

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
      .option(
        '--category <category>',
        `one of ${categories.join(', ')}; detected from the resource when omitted (as the web app does)`,
      )
      .option('--sensitivity <level>', `one of ${sensitivities.join(', ')}`, 'normal')
      .requiredOption('--file <fhir.json>', 'the FHIR R4 resource (JSON)')
      .option('--supersedes <recordId>', 'the record this one amends'),
  ).action(lazyAction(load, 'addRecord'));

  actingCommand(
    record
      .command('list')
      .description('List the metadata of a patient’s records that you may see, each final or draft')
      .option('--patient <address>', 'the patient; your own chart when you are a patient and omit it')
      .option(
        '--include-deleted',
        'as the patient: also list your deleted (hidden) and erased records, marked',
      ),
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

  actingCommand(
    record
      .command('erase')
      .description(
        'Erase a record for good (crypto-shredding). Who may: the record’s patient; an admin of the author’s ' +
          'organisation for a record entered in error, within the window the consortium voted (none by default). ' +
          'Every gateway destroys the encrypted content and refuses the keys. CANNOT BE UNDONE, and cannot reach ' +
          'a copy a reader already decrypted, backups of a gateway, or the anchor and events on chain (kept by design).',
      )
      .argument('[recordId]')
      .option(
        '--reason <reason>',
        'patient-request (the patient) or entered-in-error (an admin of the author’s organisation)',
      )
      .option('--all', 'as the patient: erase your whole chart (asks for confirmation)')
      .option('--yes', 'with --all: do not ask for confirmation'),
  ).action(lazyAction(loadLifecycle, 'eraseRecord'));

  actingCommand(
    record
      .command('delete')
      .description(
        'Delete a record (soft delete): it leaves every list; its patient may restore it until --retain-until, ' +
          'after which it is erased for good. Who may: the record’s patient, or an admin of the author’s organisation.',
      )
      .argument('<recordId>')
      .option(
        '--retain-until <date>',
        'when the deleted record is erased (ISO date); none: kept until restored or erased',
      ),
  ).action(lazyAction(loadLifecycle, 'deleteRecord'));

  actingCommand(
    record
      .command('restore')
      .description(
        'Restore a deleted record, as its patient, before its retention date (an erased record cannot be restored)',
      )
      .argument('<recordId>'),
  ).action(lazyAction(loadLifecycle, 'restoreRecord'));
}
