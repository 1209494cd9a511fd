import { type DeriveRecordInput, deriveRecord, type RecordDerived } from '@medledger/client';
import { categories, InvalidInputError, isCategory } from '@medledger/core';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { clientFor, globalOptions, parseAddress, parseInteger } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

export const copyRecord: ActionHandler = async (recordId: string, options, command: Command) => {
  const toOrganisation = parseInteger(options.toOrganisation, 'organisation');
  const result = await derive(command, {
    kind: 'copy',
    recordId: parseRecordId(recordId),
    toOrganisation,
    ...(options.referral ? { reason: 'referral' } : {}),
    purpose: options.purpose,
  });
  print(
    globalOptions(command),
    result,
    `copied record ${result.sourceId} for organisation ${toOrganisation}${options.referral ? ' (referral)' : ''}: ` +
      `new record ${result.recordId}, anchored in block ${result.blockNumber}`,
  );
};

export const duplicateRecord: ActionHandler = async (recordId: string, options, command: Command) => {
  if (options.category !== undefined && !isCategory(options.category)) {
    throw new InvalidInputError(
      `Unknown category "${options.category}"; use one of: ${categories.join(', ')}.`,
    );
  }
  const result = await derive(command, {
    kind: 'duplicate',
    recordId: parseRecordId(recordId),
    ...(options.category ? { category: options.category } : {}),
    purpose: options.purpose,
  });
  print(
    globalOptions(command),
    result,
    `duplicated record ${result.sourceId} as ${result.recordId}, anchored in block ${result.blockNumber}`,
  );
};

export const moveRecord: ActionHandler = async (recordId: string, options, command: Command) => {
  const toPatient = parseAddress(options.toPatient, 'patient');
  const result = await derive(command, {
    kind: 'move',
    recordId: parseRecordId(recordId),
    toPatient,
    purpose: options.purpose,
  });
  print(
    globalOptions(command),
    result,
    `moved record ${result.sourceId} to patient ${toPatient} as ${result.recordId}, anchored in block ` +
      `${result.blockNumber}; the record in the wrong chart is erased`,
  );
};

async function derive(command: Command, input: DeriveRecordInput): Promise<RecordDerived> {
  return deriveRecord(await clientFor(command), input);
}

function parseRecordId(value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new InvalidInputError(`Invalid record id "${value}": expected 0x and 64 hex digits.`);
  }
  return value.toLowerCase() as Hex;
}
