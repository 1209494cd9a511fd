import { categories, delegateKinds } from '@medledger/core/vocabulary';
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/delegates.ts');

export function registerDelegates(program: Command): void {
  const delegate = program
    .command('delegate')
    .description(
      'Your delegates as a patient: family, caregivers and researchers who are not members of an organisation, ' +
        'and whom you can grant consents to (read only, within the categories you allow each)',
    );
  actingCommand(
    delegate
      .command('add')
      .description(
        'Register a delegate (or update its kind, categories or key), from its invitation: the address and ' +
          'encryption key its `medledger key new` printed',
      )
      .argument('<address>', 'the delegate’s address')
      .requiredOption('--kind <kind>', `one of: ${delegateKinds.join(', ')}`)
      .requiredOption('--encryption-key <hex>', 'the delegate’s public encryption key (0x and 64 hex digits)')
      .option(
        '--categories <list>',
        `the categories it may be granted at most, comma-separated (default all): ${categories.join(', ')}`,
      ),
  ).action(lazyAction(load, 'addDelegate'));

  actingCommand(
    delegate
      .command('remove')
      .description('Remove a delegate: the consents you gave it stop applying')
      .argument('<address>', 'the delegate’s address'),
  ).action(lazyAction(load, 'removeDelegate'));

  actingCommand(
    delegate
      .command('list')
      .description('Your delegates (as a patient), or, as a delegate, the patients who registered you')
      .option('--patient <address>', 'list this patient’s delegates (yours by default, as a patient)'),
  ).action(lazyAction(load, 'listDelegates'));
}
