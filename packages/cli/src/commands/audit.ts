import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/audit.ts');

export function registerAudit(program: Command): void {
  actingCommand(
    program
      .command('audit')
      .description(
        'Who accessed what, when: your own records as a patient, or your organisation’s activity as its admin. ' +
          'With --verify, collects your history from every organisation’s gateway and checks it against the ' +
          'audit roots anchored on chain: edited, reordered and withheld events (found by your keyed tags ' +
          'among all anchored leaves) are reported, and the command exits non-zero on any mismatch.',
      )
      .option('--patient <address>', 'the patient (yourself)')
      .option('--org <id>', 'your organisation (admins only; by default the one you administer)')
      .option(
        '--verify',
        'check your history at every gateway against the chain; prints each event with its outcome',
      )
      .option('--refused', 'only the refused attempts: who, when, what and why')
      .option('--limit <n>', 'only the newest n events (1 to 200); all of them by default'),
  ).action(lazyAction(load, 'audit'));
}
