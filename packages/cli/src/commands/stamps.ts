/**
 * Multi-signature stamps: `record sign` (a co-signature), and `policy propose|approve|show` (which
 * roles must co-sign records of a category before they are final, decided by the consortium).
 */
import { categories, roles } from '@medledger/core/vocabulary';
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/stamps.ts');

export function registerStamps(program: Command): void {
  const record = program.commands.find((command) => command.name() === 'record');
  if (!record) throw new Error('register the record commands first');
  actingCommand(
    record
      .command('sign')
      .description(
        'Co-sign a record (multi-signature stamp): read and check it, then sign its id and content digest; ' +
          'for its patient and for members who may read it',
      )
      .argument('<recordId>'),
  ).action(lazyAction(load, 'signRecord'));

  const policy = program
    .command('policy')
    .description(
      'Co-signature policies: which roles must co-sign a category’s records before they are final',
    );

  actingCommand(
    policy
      .command('propose')
      .description(
        'As an organisation admin, propose the policy of a category; in force once two thirds of the active ' +
          'organisations approve, for records anchored afterwards',
      )
      .requiredOption('--category <category>', `one of ${categories.join(', ')}`)
      .option(
        '--require <list>',
        'comma-separated ROLE:COUNT[:same-org], e.g. lab:1,doctor:1 or doctor:2:same-org ' +
          `(roles: ${roles.join(', ')}; same-org: only signers of the author’s organisation count)`,
        '',
      )
      .option('--patient', 'the record’s patient must co-sign too'),
  ).action(lazyAction(load, 'proposePolicy'));

  actingCommand(
    policy
      .command('approve')
      .description('As an organisation admin, approve a policy proposal')
      .argument('<proposalId>'),
  ).action(lazyAction(load, 'approvePolicy'));

  policy
    .command('show')
    .description('The policy in force for each category, and the proposals')
    .action(lazyAction(load, 'showPolicy'));
}
