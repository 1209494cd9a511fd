import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/patientDirectory.ts');

/**
 * Under `patient` (defined with the consortium's commands): the patient's profile, desk codes,
 * finding a patient, and the identifiers an organisation keeps.
 */
export function registerPatientDirectory(program: Command): void {
  const patient =
    program.commands.find((command) => command.name() === 'patient') ??
    program.command('patient').description('Patients');

  const profile = patient
    .command('profile')
    .description('Your demographics as an encrypted record (a new version supersedes the last)');
  actingCommand(
    profile
      .command('set')
      .description(
        'As a patient, record your name, birth date, gender and contact (encrypted; never on chain)',
      )
      .requiredOption('--family <name>', 'family name')
      .option('--given <names>', 'given names, space separated')
      .option('--birth-date <YYYY-MM-DD>', 'date of birth')
      .option('--gender <gender>', 'female, male, other or unknown')
      .option('--phone <number>', 'phone number')
      .option('--email <address>', 'email address'),
  ).action(lazyAction(load, 'setProfile'));
  actingCommand(
    profile
      .command('show')
      .description('A patient’s current profile: your own, or one who shares demographics with you')
      .option('--patient <address>', 'the patient (default: you)'),
  ).action(lazyAction(load, 'showProfile'));

  actingCommand(
    patient
      .command('code')
      .description(
        'As a patient, a one-time desk code to show at a desk: 8 characters, live 10 minutes, used once ' +
          '(a new code replaces the last)',
      ),
  ).action(lazyAction(load, 'newDeskCode'));

  actingCommand(
    patient
      .command('find')
      .description(
        'Find a patient: by the desk code they show, by an identifier your organisation keeps, or by name ' +
          'among the patients who share demographics with you (matched here: the name never goes to the gateway)',
      )
      .option('--code <code>', 'a desk code the patient shows (e.g. K7QM-4XRT)')
      .option('--mrn <system|value>', 'an identifier your organisation keeps, as SYSTEM|VALUE')
      .option('--name <text>', 'words of the name (each matches the start of a name part)')
      .option('--birth-date <YYYY-MM-DD>', 'date of birth (with --name, or alone)'),
  ).action(lazyAction(load, 'findPatient'));

  const identifier = patient
    .command('identifier')
    .description('Identifiers (MRNs) your organisation keeps of its patients, in its gateway, not on chain');
  actingCommand(
    identifier
      .command('add')
      .description(
        'Keep an identifier of your organisation for a patient (its own, or one who shares demographics with you)',
      )
      .requiredOption('--patient <address>', 'the patient')
      .requiredOption('--system <system>', 'the identifier system, e.g. urn:st-mary:mrn')
      .requiredOption('--value <value>', 'the identifier, e.g. MRN-0042'),
  ).action(lazyAction(load, 'addIdentifier'));
  actingCommand(
    identifier
      .command('list')
      .description('A patient’s identifiers: all of yours as a patient, your organisation’s as a member')
      .option('--patient <address>', 'the patient (default: you)'),
  ).action(lazyAction(load, 'listIdentifiers'));
}
