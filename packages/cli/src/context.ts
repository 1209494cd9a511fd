/** What the actions share: the gateway client of `--as KEYFILE` and the parsing of arguments. */
import { createInterface } from 'node:readline/promises';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { InvalidInputError } from '@medledger/core';
import type { Command } from 'commander';
import { type Address, isAddress } from 'viem';
import { readKeyFile } from './keyFile.ts';
import { globalOptions } from './options.ts';

export { defaultServer, type GlobalOptions, globalOptions } from './options.ts';

/**
 * The client acting as the identity of the command's `--as KEYFILE`. A member's one-time code for
 * signing in is `--otp CODE` (else `signIn.otp`); without either, in a terminal, it is asked for
 * when the gateway needs one.
 */
export async function clientFor(command: Command, signIn: { otp?: string } = {}): Promise<GatewayClient> {
  const options = globalOptions(command);
  if (!options.as) throw new InvalidInputError('This command needs --as KEYFILE: whose keys act.');
  const otp = command.optsWithGlobals<{ otp?: string }>().otp ?? signIn.otp;
  const signInCode = otp ? parseOneTimeCode(otp) : process.stdin.isTTY && !options.json ? askCode : undefined;
  return createGatewayClient({
    url: options.server,
    identity: await readKeyFile(options.as),
    ...(signInCode ? { otp: signInCode } : {}),
  });
}

/** Asks the person at the terminal for its sign-in code (on standard error: standard output is the answer's). */
async function askCode(): Promise<string> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return parseOneTimeCode(
      (await prompt.question('One-time code for signing in (authenticator app): ')).trim(),
    );
  } finally {
    prompt.close();
  }
}

export function parseOneTimeCode(value: string): string {
  if (!/^\d{6}$/.test(value)) throw new InvalidInputError('A one-time code is 6 digits.');
  return value;
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
