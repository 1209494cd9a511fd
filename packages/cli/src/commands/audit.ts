import type { Command } from 'commander';
import { actingCommand, clientFor, globalOptions, parseAddress, parseInteger } from '../context.ts';
import { print } from '../output.ts';

export function registerAudit(program: Command): void {
  actingCommand(
    program
      .command('audit')
      .description(
        'Who accessed what, when: your own records as a patient, or your organisation’s activity as its admin',
      )
      .option('--patient <address>', 'the patient (yourself)')
      .option('--org <id>', 'your organisation (admins only)'),
  ).action(async (options, command: Command) => {
    const client = await clientFor(command);
    const result = await client.audit({
      ...(options.patient ? { patient: parseAddress(options.patient, 'patient') } : {}),
      ...(options.org ? { organisation: parseInteger(options.org, 'organisation id') } : {}),
    });
    print(
      globalOptions(command),
      result,
      () =>
        result.events
          .map(
            (e) =>
              `${e.recordedAt}  ${e.outcome.padEnd(7)} ${e.action.padEnd(6)} ${e.actor}  ${e.category ?? ''}  ${e.recordId ?? ''}`,
          )
          .join('\n') || 'no access events',
    );
  });
}
