import {
  type Category,
  categories,
  type DelegateKind,
  delegateKinds,
  InvalidInputError,
  isCategory,
  isDelegateKind,
} from '@medledger/core';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { clientFor, globalOptions, parseAddress, parseList } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

export const addDelegate: ActionHandler = async (address: string, options, command: Command) => {
  if (!isDelegateKind(options.kind)) {
    throw new InvalidInputError(
      `Unknown delegate kind "${options.kind}"; use one of: ${delegateKinds.join(', ')}.`,
    );
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(options.encryptionKey)) {
    throw new InvalidInputError(
      `Invalid --encryption-key "${options.encryptionKey}": expected 0x and 64 hex digits (from the delegate's invitation).`,
    );
  }
  const delegate = parseAddress(address, 'delegate address');
  const result = await (await clientFor(command)).addDelegate({
    delegate,
    kind: options.kind as DelegateKind,
    encryptionKey: options.encryptionKey.toLowerCase() as Hex,
    ...(options.categories
      ? { categories: parseList<Category>(options.categories, 'category', isCategory, categories) }
      : {}),
  });
  print(globalOptions(command), result, `delegate ${delegate} added (${options.kind})`);
};

export const removeDelegate: ActionHandler = async (address: string, _options, command: Command) => {
  const delegate = parseAddress(address, 'delegate address');
  const result = await (await clientFor(command)).removeDelegate(delegate);
  print(
    globalOptions(command),
    result,
    `delegate ${delegate} removed: the consents you gave it no longer apply`,
  );
};

export const listDelegates: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const patient = options.patient ? parseAddress(options.patient, '--patient') : undefined;
  const me = await client.me();
  // A patient lists its own delegates; anyone else (a delegate) its own entries.
  const result = await client.listDelegates(patient ?? (me.patient ? client.address : undefined));
  print(
    globalOptions(command),
    result,
    () =>
      result.delegates
        .map(
          (d) =>
            `${d.delegate}\t${d.kind}\t${d.active ? 'active' : 'removed'}\tof ${d.patient}\t${d.categoryLimit.join(',')}`,
        )
        .join('\n') || 'no delegates',
  );
};
