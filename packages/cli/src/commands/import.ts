/** `medledger import`: FHIR R4 Bundles as records of a patient, one record per entry, resumable. */
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/import.ts');

export function registerImport(program: Command): void {
  actingCommand(
    program
      .command('import')
      .description(
        'Import FHIR R4 Bundles (transaction, batch, collection, searchset or document) as records of a ' +
          'patient, one record per entry, each checked, encrypted, signed and anchored as `record add` does. ' +
          'The Patient becomes Patient/<patient address> and each other resource gets its record id as its ' +
          'FHIR id, with the references between entries rewritten. Record ids are derived from the entries ' +
          'and your key, so the import is resumable: run it again after an interruption and only what is ' +
          'missing is added, nothing twice. Shows a progress bar on standard error when it is a terminal, then ' +
          'a summary (resources by type, records added, already there, refused with the reason for each, ' +
          'time and rate) on standard error, or with --json on standard output. Exits 2 if any entry is ' +
          'refused (3 if the ledger denied them all), after importing the others.',
      )
      .argument('<paths...>', 'Bundle JSON files, or directories whose *.json files are Bundles')
      .requiredOption('--patient <address>', 'the patient the records are for')
      .option('--concurrency <n>', 'records uploaded at once (default 16)'),
  ).action(lazyAction(load, 'importBundles'));
}
