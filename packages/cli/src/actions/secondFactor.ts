/**
 * `medledger otp`: the one-time code (TOTP, RFC 6238) of an authenticator app. A patient's guards
 * its approvals of access requests and grants of consent once it is on; an organisation member's
 * guards its sign-in, under its organisation's policy (`otp policy`), which its admins set and under
 * which they enrol and reset members' codes (`otp enrol`, `otp reset`).
 */
import { createInterface } from 'node:readline/promises';
import type { GatewayClient, StaffSecondFactorPolicy } from '@medledger/client';
import { InvalidInputError } from '@medledger/core';
import type { Command } from 'commander';
import { clientFor, globalOptions, parseAddress, parseOneTimeCode } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

export { parseOneTimeCode } from '../context.ts';

const policies: readonly StaffSecondFactorPolicy[] = ['optional', 'privileged', 'all'];

/** The organisation the caller is a member of, or undefined for a patient (or anyone else). */
async function memberOrganisation(client: GatewayClient): Promise<number | undefined> {
  return (await client.me()).member?.organisationId || undefined;
}

export const enableOtp: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const global = globalOptions(command);
  const member = (await memberOrganisation(client)) !== undefined;
  let code: string | undefined = options.code && parseOneTimeCode(options.code);
  if (!code) {
    const enrolment = member ? await client.startStaffOtpEnrolment() : await client.startOtpEnrolment();
    const { uri } = enrolment;
    if (!process.stdin.isTTY || global.json) {
      print(global, { ...enrolment, enabled: false }, () =>
        [
          uri,
          'Add this URI to your authenticator app (it is shown once), then confirm with:',
          `  medledger otp confirm --code CODE --as ${global.as}`,
        ].join('\n'),
      );
      return;
    }
    process.stdout.write(`${uri}\nAdd this URI to your authenticator app (it is shown once).\n`);
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    code = parseOneTimeCode((await prompt.question('Code shown by the app: ')).trim());
    prompt.close();
  }
  await confirm(client, global, member, code);
};

/**
 * Confirms with the first code. A member signs in with it too: an enrolment its admin started, which
 * its policy may require before any session, is confirmed by that sign-in.
 */
export const confirmOtp: ActionHandler = async (options, command: Command) => {
  const code = parseOneTimeCode(options.code);
  const client = await clientFor(command, { otp: code });
  const global = globalOptions(command);
  const member = (await memberOrganisation(client)) !== undefined;
  if (member) {
    const status = await client.staffOtpStatus();
    if (status.enabled) {
      print(global, status, 'one-time code on: signing in now needs --otp CODE (asked for in a terminal)');
      return;
    }
  }
  await confirm(client, global, member, code);
};

async function confirm(
  client: GatewayClient,
  global: ReturnType<typeof globalOptions>,
  member: boolean,
  code: string,
): Promise<void> {
  if (member) {
    const status = await client.confirmStaffOtp(code);
    print(global, status, 'one-time code on: signing in now needs --otp CODE (asked for in a terminal)');
    return;
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
}

export const disableOtp: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const code = parseOneTimeCode(options.code);
  const status =
    (await memberOrganisation(client)) !== undefined
      ? await client.disableStaffOtp(code)
      : await client.disableOtp(code);
  print(globalOptions(command), status, 'one-time code off');
};

export const otpStatus: ActionHandler = async (_options, command: Command) => {
  const client = await clientFor(command);
  const state = (status: { enabled: boolean; pending: boolean }) =>
    status.enabled ? 'on' : status.pending ? 'enrolment awaiting its first code' : 'off';
  if ((await memberOrganisation(client)) !== undefined) {
    const status = await client.staffOtpStatus();
    print(globalOptions(command), status, () =>
      [
        `one-time code at sign-in: ${state(status)}`,
        `organisation ${status.organisationId}’s policy: ${status.policy} (${status.required ? 'requires' : 'does not require'} a code of you)`,
      ].join('\n'),
    );
    return;
  }
  const status = await client.otpStatus();
  print(globalOptions(command), status, () =>
    [
      `one-time code: ${state(status)}`,
      `consents relayed only by your home gateway: ${status.homeRelayOnly ? 'yes' : 'no'}`,
    ].join('\n'),
  );
};

/** The admin's organisation; `InvalidInputError` for anyone who is not a member. */
async function adminOrganisation(client: GatewayClient): Promise<number> {
  const organisationId = await memberOrganisation(client);
  if (organisationId === undefined) {
    throw new InvalidInputError('This command is for an organisation’s admin: --as is no member.');
  }
  return organisationId;
}

export const otpPolicy: ActionHandler = async (policy: string | undefined, _options, command: Command) => {
  if (policy !== undefined && !policies.includes(policy as StaffSecondFactorPolicy)) {
    throw new InvalidInputError(`Unknown policy "${policy}"; use one of: ${policies.join(', ')}.`);
  }
  const client = await clientFor(command);
  const global = globalOptions(command);
  const organisationId = await adminOrganisation(client);
  if (policy !== undefined) {
    const set = await client.setStaffOtpPolicy(organisationId, policy as StaffSecondFactorPolicy);
    print(global, set, `organisation ${organisationId}’s sign-in code policy: ${set.policy}`);
    return;
  }
  const overview = await client.organisationSecondFactors(organisationId);
  print(global, overview, () =>
    [
      `organisation ${organisationId}’s sign-in code policy: ${overview.policy}${overview.isDefault ? ' (default)' : ''}`,
      ...overview.members.map(
        (member) =>
          `  ${member.address} ${member.role}${member.emergencyPrivileged ? ' (emergency privilege)' : ''}: ` +
          `${member.enabled ? 'on' : member.pending ? 'pending' : 'off'}${member.required ? ', required' : ''}`,
      ),
    ].join('\n'),
  );
};

export const enrolMemberOtp: ActionHandler = async (member: string, _options, command: Command) => {
  const client = await clientFor(command);
  const global = globalOptions(command);
  const address = parseAddress(member, 'member address');
  const enrolment = await client.enrolMemberOtp(await adminOrganisation(client), address);
  print(global, enrolment, () =>
    [
      enrolment.uri,
      `Hand this URI to ${address} (shown once; e.g. as a QR code) for its authenticator app.`,
      'Its first code, at its next sign-in (--otp CODE) or with `medledger otp confirm`, turns the code on.',
    ].join('\n'),
  );
};

export const resetMemberOtp: ActionHandler = async (member: string, _options, command: Command) => {
  const client = await clientFor(command);
  const address = parseAddress(member, 'member address');
  const status = await client.resetMemberOtp(await adminOrganisation(client), address);
  print(
    globalOptions(command),
    status,
    `${address}’s one-time code removed and its sessions ended${status.required ? '; it must be enrolled again to sign in (otp enrol)' : ''}`,
  );
};
