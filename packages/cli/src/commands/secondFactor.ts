/**
 * `medledger otp`: a one-time code (TOTP, RFC 6238) of an authenticator app. A patient's is needed by
 * its approvals of access requests and grants of consent once it is on; an organisation member's by
 * its sign-in (`--otp CODE` on any command), under the organisation's policy that its admins set.
 */
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/secondFactor.ts');

export function registerSecondFactor(program: Command): void {
  const otp = program
    .command('otp')
    .description(
      'A one-time code (authenticator app): a patient’s approvals and consents need it, a member’s sign-in',
    );

  actingCommand(
    otp
      .command('enable')
      .description(
        'Without --code: start an enrolment and print the otpauth:// URI for your authenticator app (asks for the ' +
          'first code when run in a terminal). With --code: confirm the enrolment, which turns the code on: for a ' +
          'patient, at its home gateway, the ledger then accepts its consents only through it; for a member, ' +
          'signing in needs the code. A member whose organisation requires a code of it is enrolled by an admin',
      )
      .option('--code <code>', 'the code your authenticator shows, to confirm the enrolment'),
  ).action(lazyAction(load, 'enableOtp'));

  actingCommand(
    otp
      .command('confirm')
      .description(
        'Confirm an enrolment (yours, or one an admin started for you) with the first code: turns the code on',
      )
      .requiredOption('--code <code>', 'the code your authenticator shows'),
  ).action(lazyAction(load, 'confirmOtp'));

  actingCommand(
    otp
      .command('disable')
      .description(
        'Turn the one-time code off (a patient’s consents may then be relayed by any gateway again; a member’s ' +
          'only when its organisation’s policy does not require it)',
      )
      .requiredOption('--code <code>', 'the code your authenticator shows'),
  ).action(lazyAction(load, 'disableOtp'));

  actingCommand(
    otp.command('status').description('Whether your one-time code is on (and, for a member, required)'),
  ).action(lazyAction(load, 'otpStatus'));

  actingCommand(
    otp
      .command('policy')
      .argument('[policy]', 'optional, privileged or all; without it, show the policy and the members’ codes')
      .description(
        'As an organisation’s admin, at its gateway: who must give a code at sign-in. optional: members who ' +
          'enrolled; privileged: also admins and members with the emergency privilege; all: every member. An ' +
          'admin turns its own code on before requiring codes of admins',
      ),
  ).action(lazyAction(load, 'otpPolicy'));

  actingCommand(
    otp
      .command('enrol')
      .argument('<member>', 'the member’s address')
      .description(
        'As an organisation’s admin: start a member’s enrolment and print the otpauth:// URI (shown once) to hand ' +
          'to the member; its first code at sign-in turns the code on. The member is notified',
      ),
  ).action(lazyAction(load, 'enrolMemberOtp'));

  actingCommand(
    otp
      .command('reset')
      .argument('<member>', 'the member’s address (not your own: another admin resets an admin’s)')
      .description(
        'As an organisation’s admin: remove a member’s code (lost authenticator) and end its sessions. Audited; ' +
          'the member is notified',
      ),
  ).action(lazyAction(load, 'resetMemberOtp'));
}
