import type { Notification } from '@medledger/client';
import type { Command } from 'commander';
import { actingCommand, clientFor, globalOptions, parseInteger } from '../context.ts';
import { print } from '../output.ts';

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
  ).action(async (options, command: Command) => {
    const client = await clientFor(command);
    const output = globalOptions(command);
    const after = options.after === undefined ? 0 : parseInteger(options.after, 'notification id');
    if (!options.follow) {
      const result = await client.notifications({ after });
      print(
        output,
        result,
        () => result.notifications.map(describeNotification).join('\n') || 'no notifications',
      );
      return;
    }
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const notification of client.followNotifications({ after, signal: controller.signal })) {
        process.stdout.write(
          `${output.json ? JSON.stringify(notification) : describeNotification(notification)}\n`,
        );
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  });
}

function describeNotification(notification: Notification): string {
  const details = Object.entries(notification.data)
    .filter(([key]) => key !== 'blockNumber')
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');
  return `${notification.id}\t${notification.createdAt}\t${notification.kind}\t${details}`;
}
