import type { Notification } from '@medledger/client';
import type { Command } from 'commander';
import { actorLabels, type NameOf } from '../actorLabels.ts';
import { clientFor, globalOptions, parseInteger } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

export const notifications: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const output = globalOptions(command);
  const after = options.after === undefined ? 0 : parseInteger(options.after, 'notification id');
  if (!options.follow) {
    const result = await client.notifications({ after });
    const name = await actorLabels(client, result.notifications.flatMap(addressesIn), output);
    print(
      output,
      result,
      () => result.notifications.map((n) => describeNotification(n, name)).join('\n') || 'no notifications',
    );
    return;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    for await (const notification of client.followNotifications({ after, signal: controller.signal })) {
      const name = await actorLabels(client, addressesIn(notification), output);
      process.stdout.write(
        `${output.json ? JSON.stringify(notification) : describeNotification(notification, name)}\n`,
      );
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
};

/** The addresses a notification names (its actors), to be shown by name. */
function addressesIn(notification: Notification): string[] {
  return Object.values(notification.data).filter((value): value is string => typeof value === 'string');
}

function describeNotification(notification: Notification, name: NameOf): string {
  const details = Object.entries(notification.data)
    .filter(([key]) => key !== 'blockNumber')
    .map(
      ([key, value]) =>
        `${key}=${Array.isArray(value) ? value.join(',') : typeof value === 'string' ? name(value) : String(value)}`,
    )
    .join(' ');
  return `${notification.id}\t${notification.createdAt}\t${notification.kind}\t${details}`;
}
