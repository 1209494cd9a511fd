import type { Emergency } from '@medledger/client';
import {
  emergencyReasons,
  InvalidInputError,
  isEmergencyReason,
  maxJustificationLength,
  parseDuration,
} from '@medledger/core';
import type { Command } from 'commander';
import { actingCommand, clientFor, globalOptions, parseAddress, parseInteger } from '../context.ts';
import { print } from '../output.ts';

const verdicts = ['justified', 'unjustified'] as const;

export function registerEmergency(program: Command): void {
  const emergency = program
    .command('emergency')
    .description(
      'Emergency access (break the glass): a privileged member reads a patient’s emergency set for a bounded time; ' +
        'every emergency is audited and reviewed by the member’s organisation admin',
    );

  actingCommand(
    emergency
      .command('declare')
      .description(
        'As a member holding the emergency privilege, open a patient’s conditions, medications, allergies and ' +
          'emergency summaries (normal sensitivity, read only) to yourself for the consortium’s window (4 hours by default)',
      )
      .requiredOption('--patient <address>', 'the patient')
      .requiredOption('--reason <code>', `one of ${emergencyReasons.join(', ')}`)
      .requiredOption(
        '--justification <text>',
        'why, in words (kept at your gateway and shown to your reviewing admin; only a salted hash goes on chain)',
      ),
  ).action(async (options, command: Command) => {
    if (!isEmergencyReason(options.reason)) {
      throw new InvalidInputError(
        `Unknown reason "${options.reason}"; use one of: ${emergencyReasons.join(', ')}.`,
      );
    }
    const justification = String(options.justification).trim();
    if (!justification || justification.length > maxJustificationLength) {
      throw new InvalidInputError(`The justification must be 1 to ${maxJustificationLength} characters.`);
    }
    const result = await (await clientFor(command)).declareEmergency({
      patient: parseAddress(options.patient, 'patient'),
      reason: options.reason,
      justification,
    });
    print(
      globalOptions(command),
      result,
      `emergency ${result.emergencyId} declared: ${result.categories.join(', ')} of ${result.patient} open to you until ` +
        `${new Date(result.expiresAt * 1000).toISOString()}; it awaits review by your organisation’s admin`,
    );
  });

  actingCommand(
    emergency
      .command('list')
      .description(
        'Emergencies you declared, on your record, and (as an organisation admin) your members’, unreviewed first',
      )
      .option('--unreviewed', 'only those awaiting review'),
  ).action(async (options, command: Command) => {
    const result = await (await clientFor(command)).listEmergencies({
      unreviewedOnly: Boolean(options.unreviewed),
    });
    print(
      globalOptions(command),
      result,
      () => result.emergencies.map(describeEmergency).join('\n') || 'no emergencies',
    );
  });

  actingCommand(
    emergency
      .command('show')
      .description('One emergency, with its justification if you may read it')
      .argument('<id>'),
  ).action(async (id: string, _options, command: Command) => {
    const result = await (await clientFor(command)).emergency(parseInteger(id, 'emergency id'));
    print(globalOptions(command), result, () => describeEmergency(result));
  });

  actingCommand(
    emergency
      .command('review')
      .description(
        'As an admin of the member’s organisation, judge an emergency; unjustified closes its access at once',
      )
      .argument('<id>')
      .requiredOption('--verdict <verdict>', verdicts.join(' or ')),
  ).action(async (id: string, options, command: Command) => {
    if (!verdicts.includes(options.verdict)) {
      throw new InvalidInputError(`Unknown verdict "${options.verdict}"; use ${verdicts.join(' or ')}.`);
    }
    const result = await (await clientFor(command)).reviewEmergency(
      parseInteger(id, 'emergency id'),
      options.verdict as (typeof verdicts)[number],
    );
    print(globalOptions(command), result, `emergency ${id} judged ${result.verdict}; it is ${result.status}`);
  });

  const window = emergency
    .command('window')
    .description('How long an emergency stays open: set by two thirds of the active organisations');
  window
    .command('show')
    .description('The current emergency window')
    .action(async (_options, command: Command) => {
      const options = globalOptions(command);
      const response = await fetch(`${options.server.replace(/\/+$/, '')}/api/emergency-window`).catch(
        () => undefined,
      );
      if (!response?.ok) throw new InvalidInputError(`Cannot reach the gateway at ${options.server}.`);
      const current = (await response.json()) as { windowSeconds: number; version: number };
      print(options, current, `${current.windowSeconds / 60} minutes (version ${current.version})`);
    });
  actingCommand(
    window
      .command('propose')
      .description('As an organisation admin, propose a window (5m to 24h); your organisation’s vote counts')
      .argument('<duration>', 'e.g. 2h, 90m'),
  ).action(async (duration: string, _options, command: Command) => {
    const result = await (await clientFor(command)).proposeEmergencyWindow(parseDuration(duration));
    print(
      globalOptions(command),
      result,
      `window proposal ${result.proposalId}${result.enacted ? ' is in effect' : ' awaits approvals'}`,
    );
  });
  actingCommand(
    window
      .command('approve')
      .description('As an organisation admin, approve a window proposal')
      .argument('<proposalId>'),
  ).action(async (id: string, _options, command: Command) => {
    const result = await (await clientFor(command)).approveEmergencyWindow(parseInteger(id, 'proposal id'));
    print(
      globalOptions(command),
      result,
      `window proposal ${id}${result.enacted ? ' is in effect' : ' awaits more approvals'}`,
    );
  });
}

/** Adds `member emergency-privilege` to the `member` command (registered by consortium.ts). */
export function registerEmergencyPrivilege(member: Command): void {
  actingCommand(
    member
      .command('emergency-privilege')
      .description(
        'As an admin of its organisation, give a member the emergency privilege (--on) or take it away (--off)',
      )
      .argument('<address>')
      .option('--on', 'give the privilege')
      .option('--off', 'take it away'),
  ).action(async (address: string, options, command: Command) => {
    if (Boolean(options.on) === Boolean(options.off))
      throw new InvalidInputError('Give exactly one of --on and --off.');
    const result = await (await clientFor(command)).setEmergencyPrivilege(
      parseAddress(address),
      Boolean(options.on),
    );
    print(
      globalOptions(command),
      result,
      `${result.member} ${result.privileged ? 'now holds' : 'no longer holds'} the emergency privilege`,
    );
  });
}

function describeEmergency(e: Emergency): string {
  const until = new Date(e.expiresAt * 1000).toISOString();
  return [
    `${e.emergencyId}\t${e.status}\t${e.verdict}\t${e.member} -> ${e.patient}\t${e.reason}\tuntil ${until}`,
    ...(e.justification ? [`\t${e.justification}`] : []),
  ].join('\n');
}
