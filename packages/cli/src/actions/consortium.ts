import {
  InvalidInputError,
  isOrganisationKind,
  isRole,
  organisationKinds,
  roles,
  votesText,
  withArticle,
} from '@medledger/core';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { actorLabels } from '../actorLabels.ts';
import { clientFor, globalOptions, parseAddress, parseInteger } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

export const createOrganisation: ActionHandler = async (options, command: Command) => {
  if (!isOrganisationKind(options.kind)) {
    throw new InvalidInputError(
      `Unknown kind "${options.kind}"; use one of: ${organisationKinds.join(', ')}.`,
    );
  }
  const client = await clientFor(command);
  const result = await client.createOrganisation({
    name: options.name,
    kind: options.kind,
    gatewayUrl: options.gatewayUrl,
  });
  print(
    globalOptions(command),
    result,
    `organisation ${result.organisationId} "${options.name}" is ${result.status}`,
  );
};

export const approveOrganisation: ActionHandler = async (id: string, _options, command: Command) => {
  const result = await (await clientFor(command)).approveOrganisation(parseInteger(id, 'organisation id'));
  print(globalOptions(command), result, `organisation ${id} is ${result.status}${votesWords(result)}`);
};

/** " (votes: 1 of 2 needed)", after an approval whose answer counts the votes. */
export function votesWords(result: { approvals?: number; approvalsNeeded?: number }): string {
  if (result.approvals === undefined || result.approvalsNeeded === undefined) return '';
  return ` (votes: ${votesText({ approvals: result.approvals, needed: result.approvalsNeeded })})`;
}

export const listOrganisations: ActionHandler = async (_options, command: Command) => {
  const options = globalOptions(command);
  const response = await fetch(`${options.server.replace(/\/+$/, '')}/api/organisations`).catch(
    () => undefined,
  );
  if (!response?.ok) throw new InvalidInputError(`Cannot list organisations at ${options.server}.`);
  const result = (await response.json()) as {
    organisations: { organisationId: number; name: string; kind: string; status: string }[];
  };
  print(
    options,
    result,
    () =>
      result.organisations.map((o) => `${o.organisationId}\t${o.kind}\t${o.status}\t${o.name}`).join('\n') ||
      'no organisations',
  );
};

export const setGateway: ActionHandler = async (id: string, options, command: Command) => {
  const result = await (await clientFor(command)).publishGateway(parseInteger(id, 'organisation id'), {
    ...(options.gatewayUrl ? { gatewayUrl: options.gatewayUrl } : {}),
  });
  print(globalOptions(command), result, `organisation ${id} now publishes its gateway`);
};

export const showCustody: ActionHandler = async (_options, command: Command) => {
  const options = globalOptions(command);
  const response = await fetch(`${options.server.replace(/\/+$/, '')}/api/ledger`).catch(() => undefined);
  if (!response?.ok) throw new InvalidInputError(`Cannot reach the gateway at ${options.server}.`);
  const { custody: current } = (await response.json()) as {
    custody: { custodians: number[]; threshold: number; version: number };
  };
  print(options, current, () =>
    current.version
      ? `version ${current.version}: ${current.threshold} of organisations ${current.custodians.join(', ')}`
      : 'no custody configured yet: records are sealed to the patient’s organisation alone',
  );
};

export const proposeCustody: ActionHandler = async (options, command: Command) => {
  const custodians = String(options.custodians)
    .split(',')
    .map((id) => parseInteger(id.trim(), 'organisation id'));
  const result = await (await clientFor(command)).proposeCustody(
    custodians,
    parseInteger(options.threshold, 'threshold'),
  );
  print(
    globalOptions(command),
    result,
    `custody proposal ${result.proposalId}${result.enacted ? ' is in effect' : ' awaits approvals'}`,
  );
};

export const approveCustody: ActionHandler = async (id: string, _options, command: Command) => {
  const result = await (await clientFor(command)).approveCustody(parseInteger(id, 'proposal id'));
  print(
    globalOptions(command),
    result,
    `custody proposal ${id}${result.enacted ? ' is in effect' : ' awaits more approvals'}${votesWords(result)}`,
  );
};

export const addMember: ActionHandler = async (options, command: Command) => {
  if (!isRole(options.role))
    throw new InvalidInputError(`Unknown role "${options.role}"; use one of: ${roles.join(', ')}.`);
  if (!/^0x[0-9a-fA-F]{64}$/.test(options.encryptionKey)) {
    throw new InvalidInputError('Invalid --encryption-key: expected 0x and 64 hex digits.');
  }
  const result = await (await clientFor(command)).addMember({
    organisationId: parseInteger(options.org, 'organisation id'),
    member: parseAddress(options.address),
    role: options.role,
    encryptionKey: options.encryptionKey.toLowerCase() as Hex,
    ...(options.name !== undefined ? { profile: profileOf(options) } : {}),
  });
  const named = options.name ? ` (${[options.title, options.name].filter(Boolean).join(' ')})` : '';
  print(
    globalOptions(command),
    result,
    `${result.address}${named} is now ${withArticle(result.role)} of organisation ${result.organisationId}`,
  );
};

export const setMemberProfile: ActionHandler = async (address: string, options, command: Command) => {
  const client = await clientFor(command);
  const member = parseAddress(address);
  const result = await client.setMemberProfile(member, profileOf(options));
  const [entry] = await client.lookupDirectory([member]);
  print(
    globalOptions(command),
    result,
    `${result.address} is now shown as ${entry?.label ?? result.displayName}`,
  );
};

export const listMembers: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const result = await client.members(parseInteger(options.org, 'organisation id'));
  const name = await actorLabels(
    client,
    result.members.map((m) => m.address),
    globalOptions(command),
  );
  print(
    globalOptions(command),
    result,
    () =>
      result.members
        .map((m) => `${m.address}\t${m.role}\t${m.active ? 'active' : 'suspended'}\t${name(m.address)}`)
        .join('\n') || 'no members',
  );
};

/** `--name`, `--title`, `--department` as a member profile. */
function profileOf(options: { name?: string; title?: string; department?: string }) {
  if (!options.name)
    throw new InvalidInputError('A member profile needs --name.', { reason: 'missing_name' });
  return {
    displayName: options.name,
    ...(options.title ? { title: options.title } : {}),
    ...(options.department ? { department: options.department } : {}),
  };
}

export const suspendMember: ActionHandler = async (address: string, _options, command: Command) => {
  const result = await (await clientFor(command)).suspendMember(parseAddress(address));
  print(globalOptions(command), result, `${result.address} is suspended`);
};

export const registerPatient: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const result = await client.registerPatient(
    options.org ? { organisationId: parseInteger(options.org, 'organisation id') } : {},
  );
  print(
    globalOptions(command),
    result,
    `patient ${result.address} registered with organisation ${result.organisationId}`,
  );
};
