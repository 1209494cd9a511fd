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
} from '@medledger/core';
import type { Command } from 'commander';
import { actorLabels } from '../actorLabels.ts';
import { clientFor, globalOptions, parseAddress, parseInteger, parseList } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';
import { parseOneTimeCode } from './secondFactor.ts';

export const requestAccess: ActionHandler = async (options, command: Command) => {
  const result = await (await clientFor(command)).requestAccess({
    patient: parseAddress(options.patient, 'patient'),
    categories: parseList<Category>(options.categories, 'category', isCategory, categories),
    actions: parseList<Action>(options.actions, 'action', isAction, actions),
    reason: options.reason,
  });
  print(globalOptions(command), result, `access request ${result.requestId} sent`);
};

export const approveAccessRequest: ActionHandler = async (id: string, options, command: Command) => {
  if (!isSensitivity(options.maxSensitivity))
    throw new InvalidInputError(`Unknown sensitivity "${options.maxSensitivity}".`);
  const result = await (await clientFor(command)).approveAccessRequest(parseInteger(id, 'request id'), {
    expiresInSeconds: parseDuration(options.expires),
    maxSensitivity: options.maxSensitivity,
    purpose: options.purpose,
    ...(options.otp ? { otp: parseOneTimeCode(options.otp) } : {}),
  });
  print(globalOptions(command), result, `request ${id} approved as consent ${result.grantId}`);
};

export const denyAccessRequest: ActionHandler = async (id: string, _options, command: Command) => {
  const result = await (await clientFor(command)).denyAccessRequest(parseInteger(id, 'request id'));
  print(globalOptions(command), result, `request ${id} denied`);
};

export const listAccessRequests: ActionHandler = async (_options, command: Command) => {
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
};

export const grantConsent: ActionHandler = async (options, command: Command) => {
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
};

export const revokeConsent: ActionHandler = async (id: string, _options, command: Command) => {
  const result = await (await clientFor(command)).revokeConsent(parseInteger(id, 'consent id'));
  print(globalOptions(command), result, `consent ${id} revoked`);
};

export const listConsents: ActionHandler = async (_options, command: Command) => {
  const client = await clientFor(command);
  const result = await client.listConsents();
  const all = [...result.given, ...result.received];
  const name = await actorLabels(
    client,
    all.flatMap((c) => [c.grantee, c.patient]),
    globalOptions(command),
  );
  const line = (c: (typeof result.given)[number], way: string) =>
    `${c.grantId}\t${c.status}\t${way}\t${c.grantee ? name(c.grantee) : `organisation ${c.granteeOrganisation}`}\t${c.categories.join(',')}\t${c.actions.join(',')}\tuntil ${new Date(c.expiresAt * 1000).toISOString()}`;
  print(
    globalOptions(command),
    result,
    () =>
      [...result.given.map((c) => line(c, 'given')), ...result.received.map((c) => line(c, 'received'))].join(
        '\n',
      ) || 'no consents',
  );
};
