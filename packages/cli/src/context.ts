/** What the actions share: the gateway client of `--as KEYFILE` (or the profile's) and the parsing of arguments. */
import { createInterface } from 'node:readline/promises';
import { createGatewayClient, type GatewayClient, type Session } from '@medledger/client';
import { InvalidInputError } from '@medledger/core';
import type { Command } from 'commander';
import { type Address, isAddress } from 'viem';
import { readKeyFile } from './keyFile.ts';
import { globalOptions } from './options.ts';
import { readSession, writeSession } from './profiles.ts';

export { defaultServer, type GlobalOptions, globalOptions } from './options.ts';

/**
 * The client acting as the command's identity (`globalOptions`: `--as KEYFILE`, else the profile's).
 * A member's one-time code for signing in is `--otp CODE` (else `signIn.otp`); without either, in a
 * terminal, it is asked for when the gateway needs one. With the profile's own gateway and key, the
 * profile's kept session is used while the gateway accepts it, and a new one is kept in its place:
 * a code is needed only when the command has to sign in again.
 */
export async function clientFor(command: Command, signIn: { otp?: string } = {}): Promise<GatewayClient> {
  const options = globalOptions(command);
  if (!options.as)
    throw new InvalidInputError(
      'This command needs to know whose keys act: run `medledger login --key KEYFILE` once, or give --as KEYFILE.',
      { reason: 'identity_missing' },
    );
  const signInCode = signInCodeOf(command, signIn.otp);
  const identity = await readKeyFile(options.as);
  return createGatewayClient({
    url: options.server,
    identity,
    ...(signInCode ? { otp: signInCode } : {}),
    ...(options.profileIdentity ? keptSession(options.profile, options.server, identity.address) : {}),
  });
}

/** The client options that use and keep the session of `profile` at `server` as `address`. */
export function keptSession(
  profile: string,
  server: string,
  address: string,
): { session?: Session; onSession: (session: Session | undefined) => void } {
  const owner = address.toLowerCase();
  const kept = readSession(profile, server, owner);
  return {
    ...(kept ? { session: kept } : {}),
    onSession: (session) => writeSession(profile, session && { server, address: owner, ...session }),
  };
}

/**
 * The one-time code for signing in: `--otp CODE` (else `fallback`); without either, in a terminal
 * and without --json, a function that asks for it when the gateway needs one.
 */
export function signInCodeOf(
  command: Command,
  fallback?: string,
): string | (() => Promise<string>) | undefined {
  const { otp, json } = command.optsWithGlobals<{ otp?: string; json?: boolean }>();
  const code = otp ?? fallback;
  if (code) return parseOneTimeCode(code);
  return process.stdin.isTTY && !json ? askCode : undefined;
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
