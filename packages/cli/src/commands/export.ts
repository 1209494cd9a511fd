/** `medledger export`: a patient's records that the caller may read, as one FHIR R4 collection Bundle. */
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/export.ts');

export function registerExport(program: Command): void {
  actingCommand(
    program
      .command('export')
      .description(
        'Write every record of a patient that you may read as one FHIR R4 collection Bundle: each record ' +
          'fetched, verified and decrypted as `record get` does. The patient gets all of them, a member what ' +
          'its consents allow; records you may not read are left out and counted. Only the latest version ' +
          'of an amended record goes in: a record superseded by another one listed is left out. The file ' +
          '(mode 0600: it holds health data) is written aside and renamed into place, complete or not at all. ' +
          'Prints a summary (records by category, left out, time) on standard error, or with --json on ' +
          'standard output.',
      )
      .requiredOption('--patient <address>', 'the patient')
      .requiredOption('--out <file>', 'the Bundle JSON file to write (refused if it exists, unless --force)')
      .option('--force', 'replace an existing file')
      .option('--purpose <code>', 'purpose of use of every read (HL7 ActReason, e.g. TREAT)', 'TREAT'),
  ).action(lazyAction(load, 'exportRecords'));
}
