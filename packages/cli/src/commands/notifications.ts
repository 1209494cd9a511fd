import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/notifications.ts');

export function registerNotifications(program: Command): void {
  actingCommand(
    program
      .command('notifications')
      .description(
        'Your notifications: access requests and their answers, grants used, records added to your chart, ' +
          'emergencies. With --follow, keeps printing them as they come (one JSON line each with --json), ' +
          'resuming after the last one printed whenever the connection drops; stop with Ctrl-C.',
      )
      .option('--follow', 'keep printing new notifications as they arrive')
      .option('--after <id>', 'only those after this notification id (e.g. the last one you saw)'),
  ).action(lazyAction(load, 'notifications'));
}
