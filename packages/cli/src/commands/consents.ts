import {
  type Action,
  actions,
  type Category,
  categories,
  InvalidInputError,
  isAction,
  isCategory,
  isSensitivity,
  parseDuration,
  sensitivities,
} from '@medledger/core';
import type { Command } from 'commander';
import {
  actingCommand,
  clientFor,
  globalOptions,
  parseAddress,
  parseInteger,
  parseList,
} from '../context.ts';
import { print } from '../output.ts';
import { parseOneTimeCode } from './secondFactor.ts';

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
  ).action(async (options, command: Command) => {
    const result = await (await clientFor(command)).requestAccess({
      patient: parseAddress(options.patient, 'patient'),
      categories: parseList<Category>(options.categories, 'category', isCategory, categories),
      actions: parseList<Action>(options.actions, 'action', isAction, actions),
      reason: options.reason,
    });
    print(globalOptions(command), result, `access request ${result.requestId} sent`);
  });

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
  ).action(async (id: string, options, command: Command) => {
    if (!isSensitivity(options.maxSensitivity))
      throw new InvalidInputError(`Unknown sensitivity "${options.maxSensitivity}".`);
    const result = await (await clientFor(command)).approveAccessRequest(parseInteger(id, 'request id'), {
      expiresInSeconds: parseDuration(options.expires),
      maxSensitivity: options.maxSensitivity,
      purpose: options.purpose,
      ...(options.otp ? { otp: parseOneTimeCode(options.otp) } : {}),
    });
    print(globalOptions(command), result, `request ${id} approved as consent ${result.grantId}`);
  });

  actingCommand(
    access.command('deny').description('Deny an access request to you').argument('<requestId>'),
  ).action(async (id: string, _options, command: Command) => {
    const result = await (await clientFor(command)).denyAccessRequest(parseInteger(id, 'request id'));
    print(globalOptions(command), result, `request ${id} denied`);
  });

  actingCommand(access.command('list').description('Access requests to you and by you')).action(
    async (_options, command: Command) => {
      const result = await (await clientFor(command)).listAccessRequests();
      print(
        globalOptions(command),
        result,
        () =>
          [
            ...result.incoming.map((r) => ({ ...r, way: 'to you' })),
            ...result.outgoing.map((r) => ({ ...r, way: 'by you' })),
          ]
            .map(
              (r) =>
                `${r.requestId}\t${r.status}\t${r.way}\t${r.requester} -> ${r.patient}\t${r.categories.join(',')}\t${r.reason ?? ''}`,
            )
            .join('\n') || 'no access requests',
      );
    },
  );

  const consent = program.command('consent').description('Consents given by patients');
  actingCommand(
    consent
      .command('grant')
      .description(
        'As a patient, let a member (or a whole organisation) act on categories of your records until an expiry',
      )
      .option('--to <address>', 'the member')
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
  ).action(async (options, command: Command) => {
    if (!options.to === !options.toOrg)
      throw new InvalidInputError('Give exactly one of --to ADDRESS or --to-org ID.');
    if (!isSensitivity(options.maxSensitivity))
      throw new InvalidInputError(`Unknown sensitivity "${options.maxSensitivity}".`);
    const result = await (await clientFor(command)).grantConsent({
      ...(options.to
        ? { grantee: parseAddress(options.to, '--to') }
        : { granteeOrganisation: parseInteger(options.toOrg, '--to-org') }),
      categories: parseList<Category>(options.categories, 'category', isCategory, categories),
      actions: parseList<Action>(options.actions, 'action', isAction, actions),
      expiresInSeconds: parseDuration(options.expires),
      maxSensitivity: options.maxSensitivity,
      purpose: options.purpose,
      ...(options.otp ? { otp: parseOneTimeCode(options.otp) } : {}),
    });
    print(globalOptions(command), result, `consent ${result.grantId} granted`);
  });

  actingCommand(
    consent.command('revoke').description('Revoke one of your consents').argument('<grantId>'),
  ).action(async (id: string, _options, command: Command) => {
    const result = await (await clientFor(command)).revokeConsent(parseInteger(id, 'consent id'));
    print(globalOptions(command), result, `consent ${id} revoked`);
  });

  actingCommand(consent.command('list').description('Consents you gave and consents given to you')).action(
    async (_options, command: Command) => {
      const result = await (await clientFor(command)).listConsents();
      const line = (c: (typeof result.given)[number], way: string) =>
        `${c.grantId}\t${c.status}\t${way}\t${c.grantee ?? `organisation ${c.granteeOrganisation}`}\t${c.categories.join(',')}\t${c.actions.join(',')}\tuntil ${new Date(c.expiresAt * 1000).toISOString()}`;
      print(
        globalOptions(command),
        result,
        () =>
          [
            ...result.given.map((c) => line(c, 'given')),
            ...result.received.map((c) => line(c, 'received')),
          ].join('\n') || 'no consents',
      );
    },
  );
}
