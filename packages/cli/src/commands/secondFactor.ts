/**
 * `medledger otp`: the patient's one-time code (TOTP, RFC 6238) that its approvals of access requests and
 * grants of consent need once it is on.
 */
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/secondFactor.ts');

export function registerSecondFactor(program: Command): void {
  const otp = program
    .command('otp')
    .description('A one-time code (authenticator app) that your approvals and consents then need');

  actingCommand(
    otp
      .command('enable')
      .description(
        'Without --code: start an enrolment and print the otpauth:// URI for your authenticator app (asks for the ' +
          'first code when run in a terminal). With --code: confirm the enrolment, which turns the code on and, at ' +
          'your home gateway, has the ledger accept your consents only through it',
      )
      .option('--code <code>', 'the code your authenticator shows, to confirm the enrolment'),
  ).action(lazyAction(load, 'enableOtp'));

  actingCommand(
    otp
      .command('disable')
      .description('Turn the one-time code off (and let any gateway relay your consents again)')
      .requiredOption('--code <code>', 'the code your authenticator shows'),
  ).action(lazyAction(load, 'disableOtp'));

  actingCommand(otp.command('status').description('Whether your one-time code is on')).action(
    lazyAction(load, 'otpStatus'),
  );
}
