/** What every command shares: global options, the key file (--as) and the gateway client. */
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { InvalidInputError } from '@medledger/core';
import type { Command } from 'commander';
import { type Address, isAddress } from 'viem';
import { readKeyFile } from './keyFile.ts';

export const defaultServer = 'http://127.0.0.1:8080';

export interface GlobalOptions {
  json?: boolean;
  server: string;
  as?: string;
}

export function globalOptions(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<GlobalOptions>();
  return { ...options, server: options.server ?? process.env.MEDLEDGER_SERVER ?? defaultServer };
}

/** The client acting as the identity of the command's `--as KEYFILE`. */
export async function clientFor(command: Command): Promise<GatewayClient> {
  const options = globalOptions(command);
  if (!options.as) throw new InvalidInputError('This command needs --as KEYFILE: whose keys act.');
  return createGatewayClient({ url: options.server, identity: await readKeyFile(options.as) });
}

/** Adds the options every command that acts as someone takes. */
export function actingCommand(command: Command): Command {
  return command.requiredOption(
    '--as <keyfile>',
    'key file of the identity that acts (from `medledger key new`)',
  );
}

export function parseAddress(value: string, what = 'address'): Address {
  if (!isAddress(value, { strict: false }))
    throw new InvalidInputError(`Invalid ${what} "${value}": expected 0x and 40 hex digits.`);
  return value.toLowerCase() as Address;
}

export function parseInteger(value: string, what: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw new InvalidInputError(`Invalid ${what} "${value}": expected a whole number.`);
  return Number(value);
}

export function parseList<T extends string>(
  value: string,
  what: string,
  isValid: (item: string) => item is T,
  allowed: readonly string[],
): T[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (!items.length) throw new InvalidInputError(`Give at least one ${what}.`);
  for (const item of items) {
    if (!isValid(item))
      throw new InvalidInputError(`Unknown ${what} "${item}"; use one of: ${allowed.join(', ')}.`);
  }
  return items as T[];
}
