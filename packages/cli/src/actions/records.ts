import { readFile, writeFile } from 'node:fs/promises';
import type { GatewayClient } from '@medledger/client';
import {
  type Category,
  categories,
  categoryOfResource,
  InvalidInputError,
  isCategory,
  isSensitivity,
  parseResourceJson,
  sensitivities,
} from '@medledger/core';
import type { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { actorLabels } from '../actorLabels.ts';
import { clientFor, globalOptions, parseAddress } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';
import { describeStamp, stampSigners } from './stamps.ts';

export const addRecord: ActionHandler = async (options, command: Command) => {
  if (options.category !== undefined && !isCategory(options.category)) {
    throw new InvalidInputError(
      `Unknown category "${options.category}"; use one of: ${categories.join(', ')}.`,
    );
  }
  if (!isSensitivity(options.sensitivity)) {
    throw new InvalidInputError(
      `Unknown sensitivity "${options.sensitivity}"; use one of: ${sensitivities.join(', ')}.`,
    );
  }
  if (options.supersedes && !/^0x[0-9a-fA-F]{64}$/.test(options.supersedes)) {
    throw new InvalidInputError('Invalid --supersedes: expected a record id (0x and 64 hex digits).');
  }
  let text: string;
  try {
    text = await readFile(options.file, 'utf8');
  } catch {
    throw new InvalidInputError(`Cannot read ${options.file}.`);
  }
  const category: Category = options.category ?? detectCategory(text, options.file);
  refuseImportBundle(text, options.file, category);
  const resource = parseResourceJson(text, category);
  const result = await (await clientFor(command)).addRecord({
    patient: parseAddress(options.patient, 'patient'),
    category,
    sensitivity: options.sensitivity,
    resource,
    ...(options.supersedes ? { supersedes: options.supersedes as Hex } : {}),
  });
  print(globalOptions(command), { ...result, category }, () =>
    [
      `recordId: ${result.recordId}`,
      `category: ${category}${options.category ? '' : ' (detected from the resource)'}`,
      `cid:      ${result.cid}`,
      `anchored in block ${result.blockNumber} (${result.transactionHash})`,
    ].join('\n'),
  );
};

/** The category of the resource in `text` (`categoryOfResource`, as the web app detects it). */
function detectCategory(text: string, file: string): Category {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${file} is not JSON.`, { reason: 'resource_not_json' });
  }
  const category = categoryOfResource(value);
  if (!category)
    throw new InvalidInputError(
      `Cannot tell the category of ${file}; give --category (one of: ${categories.join(', ')}).`,
      { reason: 'category_unknown' },
    );
  return category;
}

/**
 * A Bundle holds many resources: `medledger import` makes one record of each. Only an emergency
 * summary (a `document` or `collection` Bundle under category emergency) is one record.
 */
function refuseImportBundle(text: string, file: string, category: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return; // parseResourceJson says what is wrong with it
  }
  const bundle = value as { resourceType?: unknown; type?: unknown; entry?: unknown } | null;
  if (bundle?.resourceType !== 'Bundle' || category === 'emergency') return;
  const entries = Array.isArray(bundle.entry) ? bundle.entry.length : 0;
  throw new InvalidInputError(
    `${file} is a FHIR Bundle${typeof bundle.type === 'string' ? ` (${bundle.type.slice(0, 32)})` : ''} of ${entries} ${entries === 1 ? 'entry' : 'entries'}: ` +
      'import it with `medledger import FILE --patient ADDRESS --as KEYFILE`, which makes one record of each entry.',
    { reason: 'bundle_needs_import' },
  );
}

export const listRecords: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const patient = options.patient ? parseAddress(options.patient, 'patient') : await ownChart(client);
  const result = await client.listRecords(patient, {
    includeHidden: options.includeDeleted === true,
  });
  const name = await actorLabels(
    client,
    result.records.flatMap((r) => [r.author, r.erased?.by, r.hidden?.by]),
    globalOptions(command),
  );
  print(globalOptions(command), result, () =>
    result.records.length
      ? result.records
          .map(
            (r) =>
              `${r.recordId}  ${r.category}/${r.sensitivity}  by ${name(r.author)}  ${new Date(r.createdAt * 1000).toISOString()}  ${r.cid}${r.stamp ? `  ${r.stamp.status} (${r.stamp.signers.length} signer${r.stamp.signers.length === 1 ? '' : 's'})` : ''}${
                r.erased
                  ? `  ERASED on ${new Date(r.erased.erasedAt * 1000).toISOString()} by ${name(r.erased.by)} (${r.erased.reason})`
                  : r.hidden
                    ? `  DELETED by ${name(r.hidden.by)}${r.hidden.retainUntil ? `, erased after ${new Date(r.hidden.retainUntil * 1000).toISOString()}` : ''}`
                    : ''
              }`,
          )
          .join('\n')
      : 'no records you may see',
  );
};

/** Without --patient: the signed-in patient's own chart; staff and delegates must say whose. */
async function ownChart(client: GatewayClient): Promise<Address> {
  const me = await client.me();
  if (!me.patient?.registered)
    throw new InvalidInputError(
      'Say whose records to list: --patient ADDRESS (without it, a registered patient lists their own chart).',
      { reason: 'patient_required' },
    );
  return client.address;
}

export const rekeyRecord: ActionHandler = async (recordId: string, _options, command: Command) => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(recordId))
    throw new InvalidInputError('Invalid record id: expected 0x and 64 hex digits.');
  const result = await (await clientFor(command)).rekeyRecord(recordId as Hex);
  print(
    globalOptions(command),
    result,
    `record ${recordId} re-keyed as ${result.recordId} (block ${result.blockNumber})`,
  );
};

/** A record id argument: 0x and 64 hex digits. */
export function parseRecordId(value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new InvalidInputError('Invalid record id: expected 0x and 64 hex digits.');
  return value as Hex;
}

export const getRecord: ActionHandler = async (recordId: string, options, command: Command) => {
  const id = parseRecordId(recordId);
  const client = await clientFor(command);
  const { record, resource } = await client.readRecord(id, options.purpose);
  const stamp = await client.stamp(record.recordId);
  const name = await actorLabels(client, stampSigners(stamp), globalOptions(command));
  const json = `${JSON.stringify(resource, null, 2)}\n`;
  if (options.out) {
    await writeFile(options.out, json, { mode: 0o600 });
    print(globalOptions(command), { record: { ...record, stamp }, file: options.out }, () =>
      [
        `wrote ${record.category} record ${record.recordId} to ${options.out}`,
        describeStamp(stamp, name),
      ].join('\n'),
    );
  } else {
    process.stdout.write(json);
    // Standard output stays the FHIR resource; the stamp goes beside it.
    if (!globalOptions(command).json) process.stderr.write(`${describeStamp(stamp, name)}\n`);
  }
};
