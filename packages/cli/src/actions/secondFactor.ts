/**
 * `medledger otp`: the patient's one-time code (TOTP, RFC 6238) that its approvals of access requests and
 * grants of consent need once it is on.
 */
import { createInterface } from 'node:readline/promises';
import { InvalidInputError } from '@medledger/core';
import type { Command } from 'commander';
import { clientFor, globalOptions } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

export const enableOtp: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const global = globalOptions(command);
  let code: string | undefined = options.code && parseOneTimeCode(options.code);
  if (!code) {
    const { uri, homeGateway } = await client.startOtpEnrolment();
    if (!process.stdin.isTTY || global.json) {
      print(global, { uri, homeGateway, enabled: false }, () =>
        [
          uri,
          'Add this URI to your authenticator app (it is shown once), then confirm with:',
          `  medledger otp enable --code CODE --as ${global.as}`,
        ].join('\n'),
      );
      return;
    }
    process.stdout.write(`${uri}\nAdd this URI to your authenticator app (it is shown once).\n`);
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    code = parseOneTimeCode((await prompt.question('Code shown by the app: ')).trim());
    prompt.close();
  }
  const status = await client.confirmOtp(code);
  print(global, status, () =>
    [
      'one-time code on: approving access and granting consent now need --otp CODE',
      status.homeRelayOnly
        ? 'the ledger accepts your consents only through this gateway, your home gateway'
        : 'note: this is not your home gateway; other gateways can still relay consents you sign without a code',
    ].join('\n'),
  );
};

export const disableOtp: ActionHandler = async (options, command: Command) => {
  const status = await (await clientFor(command)).disableOtp(parseOneTimeCode(options.code));
  print(globalOptions(command), status, 'one-time code off');
};

export const otpStatus: ActionHandler = async (_options, command: Command) => {
  const status = await (await clientFor(command)).otpStatus();
  print(globalOptions(command), status, () =>
    [
      `one-time code: ${status.enabled ? 'on' : status.pending ? 'enrolment awaiting its first code' : 'off'}`,
      `consents relayed only by your home gateway: ${status.homeRelayOnly ? 'yes' : 'no'}`,
    ].join('\n'),
  );
};

export function parseOneTimeCode(value: string): string {
  if (!/^\d{6}$/.test(value)) throw new InvalidInputError('A one-time code is 6 digits.');
  return value;
}
