/** What the actions share: the gateway client of `--as KEYFILE` and the parsing of arguments. */
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { InvalidInputError } from '@medledger/core';
import type { Command } from 'commander';
import { type Address, isAddress } from 'viem';
import { readKeyFile } from './keyFile.ts';
import { globalOptions } from './options.ts';

export { defaultServer, type GlobalOptions, globalOptions } from './options.ts';

/** The client acting as the identity of the command's `--as KEYFILE`. */
export async function clientFor(command: Command): Promise<GatewayClient> {
  const options = globalOptions(command);
  if (!options.as) throw new InvalidInputError('This command needs --as KEYFILE: whose keys act.');
  return createGatewayClient({ url: options.server, identity: await readKeyFile(options.as) });
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
