/**
 * The medledger command line. Exit codes: 0 success, 2 invalid input, 3 access denied, 1 anything else.
 *
 * Building the program loads only the command definitions (commands/, options.ts): each action
 * imports its code (actions/) when it runs, so that `--help` and every command start fast.
 */
import { InvalidInputError } from '@medledger/core/errors';
import { Command, CommanderError } from 'commander';
import { registerAppointments } from './commands/appointments.ts';
import { registerAudit } from './commands/audit.ts';
import { registerClaims } from './commands/claims.ts';
import { registerConsents } from './commands/consents.ts';
import { registerConsortium } from './commands/consortium.ts';
import { registerDelegates } from './commands/delegates.ts';
import { registerEmergency } from './commands/emergency.ts';
import { registerExport } from './commands/export.ts';
import { registerFhir } from './commands/fhir.ts';
import { registerImport } from './commands/import.ts';
import { registerKeys } from './commands/keys.ts';
import { registerNotifications } from './commands/notifications.ts';
import { registerOrders } from './commands/orders.ts';
import { registerPatientDirectory } from './commands/patientDirectory.ts';
import { registerPrescriptions } from './commands/prescriptions.ts';
import { registerProfiles } from './commands/profiles.ts';
import { registerRecordActions } from './commands/recordActions.ts';
import { registerRecords } from './commands/records.ts';
import { registerSecondFactor } from './commands/secondFactor.ts';
import { registerStamps } from './commands/stamps.ts';
import { registerStart } from './commands/start.ts';
import { registerVerify } from './commands/verify.ts';
import { defaultServer, ReportedError } from './options.ts';
import { reportError } from './output.ts';

export function buildProgram(): Command {
  const program = new Command('medledger')
    .description('Patient-controlled sharing of health records on a permissioned Ethereum ledger')
    .version('0.1.0')
    .option('--json', 'answer in JSON')
    .option(
      '--server <url>',
      `gateway URL; env MEDLEDGER_SERVER, else the profile's (default ${defaultServer})`,
    )
    .option(
      '--profile <name>',
      'the profile to use (`medledger login`); env MEDLEDGER_PROFILE, else the current one',
    )
    .showHelpAfterError()
    .exitOverride();
  for (const register of [
    registerStart,
    registerProfiles,
    registerKeys,
    registerConsortium,
    registerRecords,
    registerRecordActions,
    registerStamps,
    registerImport,
    registerExport,
    registerFhir,
    registerConsents,
    registerDelegates,
    registerSecondFactor,
    registerVerify,
    registerAudit,
    registerEmergency,
    registerNotifications,
    registerOrders,
    registerPrescriptions,
    registerClaims,
    registerPatientDirectory,
    registerAppointments,
  ]) {
    register(program);
  }
  program.commands.forEach(function exitOverride(command: Command) {
    command.exitOverride();
    command.commands.forEach(exitOverride);
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      // commander already printed what was wrong with the command line
      return reportError(new InvalidInputError('Invalid command line; see --help.'), json) && 2;
    }
    if (error instanceof ReportedError) return error.exitCode;
    return reportError(error, json);
  }
}
