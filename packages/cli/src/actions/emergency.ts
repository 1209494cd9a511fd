import type { Emergency } from '@medledger/client';
import {
  emergencyReasons,
  InvalidInputError,
  isEmergencyReason,
  maxJustificationLength,
  parseDuration,
} from '@medledger/core';
import type { Command } from 'commander';
import { actorLabels, type NameOf } from '../actorLabels.ts';
import { clientFor, globalOptions, parseAddress, parseInteger } from '../context.ts';
import { type ActionHandler, reviewVerdicts } from '../options.ts';
import { print } from '../output.ts';
import { votesWords } from './consortium.ts';

export const declareEmergency: ActionHandler = async (options, command: Command) => {
  if (!isEmergencyReason(options.reason)) {
    throw new InvalidInputError(
      `Unknown reason "${options.reason}"; use one of: ${emergencyReasons.join(', ')}.`,
    );
  }
  const justification = String(options.justification).trim();
  if (!justification || justification.length > maxJustificationLength) {
    throw new InvalidInputError(`The justification must be 1 to ${maxJustificationLength} characters.`);
  }
  const result = await (await clientFor(command)).declareEmergency({
    patient: parseAddress(options.patient, 'patient'),
    reason: options.reason,
    justification,
  });
  print(
    globalOptions(command),
    result,
    `emergency ${result.emergencyId} declared: ${result.categories.join(', ')} of ${result.patient} open to you until ` +
      `${new Date(result.expiresAt * 1000).toISOString()}; it awaits review by your organisation’s admin`,
  );
};

export const listEmergencies: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const result = await client.listEmergencies({ unreviewedOnly: Boolean(options.unreviewed) });
  const name = await actorLabels(
    client,
    result.emergencies.map((e) => e.member),
    globalOptions(command),
  );
  print(
    globalOptions(command),
    result,
    () => result.emergencies.map((e) => describeEmergency(e, name)).join('\n') || 'no emergencies',
  );
};

export const showEmergency: ActionHandler = async (id: string, _options, command: Command) => {
  const result = await (await clientFor(command)).emergency(parseInteger(id, 'emergency id'));
  print(globalOptions(command), result, () => describeEmergency(result));
};

export const reviewEmergency: ActionHandler = async (id: string, options, command: Command) => {
  if (!reviewVerdicts.includes(options.verdict)) {
    throw new InvalidInputError(`Unknown verdict "${options.verdict}"; use ${reviewVerdicts.join(' or ')}.`);
  }
  const result = await (await clientFor(command)).reviewEmergency(
    parseInteger(id, 'emergency id'),
    options.verdict as (typeof reviewVerdicts)[number],
  );
  print(globalOptions(command), result, `emergency ${id} judged ${result.verdict}; it is ${result.status}`);
};

export const showWindow: ActionHandler = async (_options, command: Command) => {
  const options = globalOptions(command);
  const response = await fetch(`${options.server.replace(/\/+$/, '')}/api/emergency-window`).catch(
    () => undefined,
  );
  if (!response?.ok) throw new InvalidInputError(`Cannot reach the gateway at ${options.server}.`);
  const current = (await response.json()) as { windowSeconds: number; version: number };
  print(options, current, `${current.windowSeconds / 60} minutes (version ${current.version})`);
};

export const proposeWindow: ActionHandler = async (duration: string, _options, command: Command) => {
  const result = await (await clientFor(command)).proposeEmergencyWindow(parseDuration(duration));
  print(
    globalOptions(command),
    result,
    `window proposal ${result.proposalId}${result.enacted ? ' is in effect' : ' awaits approvals'}`,
  );
};

export const approveWindow: ActionHandler = async (id: string, _options, command: Command) => {
  const result = await (await clientFor(command)).approveEmergencyWindow(parseInteger(id, 'proposal id'));
  print(
    globalOptions(command),
    result,
    `window proposal ${id}${result.enacted ? ' is in effect' : ' awaits more approvals'}${votesWords(result)}`,
  );
};

export const setEmergencyPrivilege: ActionHandler = async (address: string, options, command: Command) => {
  if (Boolean(options.on) === Boolean(options.off))
    throw new InvalidInputError('Give exactly one of --on and --off.');
  const result = await (await clientFor(command)).setEmergencyPrivilege(
    parseAddress(address),
    Boolean(options.on),
  );
  print(
    globalOptions(command),
    result,
    `${result.member} ${result.privileged ? 'now holds' : 'no longer holds'} the emergency privilege`,
  );
};

function describeEmergency(e: Emergency, name: NameOf = (address) => address ?? ''): string {
  const until = new Date(e.expiresAt * 1000).toISOString();
  return [
    `${e.emergencyId}\t${e.status}\t${e.verdict}\t${name(e.member)} -> ${e.patient}\t${e.reason}\tuntil ${until}`,
    ...(e.justification ? [`\t${e.justification}`] : []),
  ].join('\n');
}
