import { actions, categories, sensitivities } from '@medledger/core/vocabulary';
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/consents.ts');

export function registerConsents(program: Command): void {
  const access = program.command('access').description('Access requests from members to patients');
  actingCommand(
    access
      .command('request')
      .description('Ask a patient for access to categories of their records')
      .requiredOption('--patient <address>', 'the patient')
      .requiredOption('--categories <list>', `comma-separated: ${categories.join(', ')}`)
      .option('--actions <list>', `comma-separated: ${actions.join(', ')}`, 'read')
      .option('--reason <text>', 'why (shown to the patient; kept off chain)', ''),
  ).action(lazyAction(load, 'requestAccess'));

  actingCommand(
    access
      .command('approve')
      .description('Approve an access request to you with a consent for what it asked, until it expires')
      .argument('<requestId>')
      .requiredOption('--expires <duration>', 'how long the consent lasts, e.g. 30m, 1h, 7d')
      .option(
        '--max-sensitivity <level>',
        `highest sensitivity covered: ${sensitivities.join(', ')}`,
        'normal',
      )
      .option('--purpose <code>', 'purpose of use (HL7 ActReason)', 'TREAT')
      .option('--otp <code>', 'the current one-time code, if you turned it on (medledger otp enable)'),
  ).action(lazyAction(load, 'approveAccessRequest'));

  actingCommand(
    access.command('deny').description('Deny an access request to you').argument('<requestId>'),
  ).action(lazyAction(load, 'denyAccessRequest'));

  actingCommand(access.command('list').description('Access requests to you and by you')).action(
    lazyAction(load, 'listAccessRequests'),
  );

  const consent = program.command('consent').description('Consents given by patients');
  actingCommand(
    consent
      .command('grant')
      .description(
        'As a patient, let a member (or a whole organisation, or one of your delegates: read only) act on ' +
          'categories of your records until an expiry',
      )
      .option('--to <address>', 'the member, or your delegate (see `medledger delegate`)')
      .option('--to-org <id>', 'or a whole organisation')
      .requiredOption('--categories <list>', `comma-separated: ${categories.join(', ')}`)
      .requiredOption('--actions <list>', `comma-separated: ${actions.join(', ')}`)
      .requiredOption('--expires <duration>', 'how long the consent lasts, e.g. 30m, 1h, 7d')
      .option(
        '--max-sensitivity <level>',
        `highest sensitivity covered: ${sensitivities.join(', ')}`,
        'normal',
      )
      .option('--purpose <code>', 'purpose of use (HL7 ActReason)', 'TREAT')
      .option('--otp <code>', 'the current one-time code, if you turned it on (medledger otp enable)'),
  ).action(lazyAction(load, 'grantConsent'));

  actingCommand(
    consent.command('revoke').description('Revoke one of your consents').argument('<grantId>'),
  ).action(lazyAction(load, 'revokeConsent'));

  actingCommand(consent.command('list').description('Consents you gave and consents given to you')).action(
    lazyAction(load, 'listConsents'),
  );
}
