import { emergencyReasons } from '@medledger/core/vocabulary';
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/emergency.ts');

export const verdicts = ['justified', 'unjustified'] as const;

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
  ).action(lazyAction(load, 'declareEmergency'));

  actingCommand(
    emergency
      .command('list')
      .description(
        'Emergencies you declared, on your record, and (as an organisation admin) your members’, unreviewed first',
      )
      .option('--unreviewed', 'only those awaiting review'),
  ).action(lazyAction(load, 'listEmergencies'));

  actingCommand(
    emergency
      .command('show')
      .description('One emergency, with its justification if you may read it')
      .argument('<id>'),
  ).action(lazyAction(load, 'showEmergency'));

  actingCommand(
    emergency
      .command('review')
      .description(
        'As an admin of the member’s organisation, judge an emergency; unjustified closes its access at once',
      )
      .argument('<id>')
      .requiredOption('--verdict <verdict>', verdicts.join(' or ')),
  ).action(lazyAction(load, 'reviewEmergency'));

  const window = emergency
    .command('window')
    .description('How long an emergency stays open: set by two thirds of the active organisations');
  window.command('show').description('The current emergency window').action(lazyAction(load, 'showWindow'));
  actingCommand(
    window
      .command('propose')
      .description('As an organisation admin, propose a window (5m to 24h); your organisation’s vote counts')
      .argument('<duration>', 'e.g. 2h, 90m'),
  ).action(lazyAction(load, 'proposeWindow'));
  actingCommand(
    window
      .command('approve')
      .description('As an organisation admin, approve a window proposal')
      .argument('<proposalId>'),
  ).action(lazyAction(load, 'approveWindow'));
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
  ).action(lazyAction(load, 'setEmergencyPrivilege'));
}
