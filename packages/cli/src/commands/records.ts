import { readFile, writeFile } from 'node:fs/promises';
import {
  categories,
  InvalidInputError,
  isCategory,
  isSensitivity,
  parseResourceJson,
  sensitivities,
} from '@medledger/core';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { actingCommand, clientFor, globalOptions, parseAddress } from '../context.ts';
import { print } from '../output.ts';
import { describeStamp } from './stamps.ts';

export function registerRecords(program: Command): void {
  const record = program
    .command('record')
    .description('Health records: encrypted here, anchored on the ledger');

  actingCommand(
    record
      .command('add')
      .description(
        'Check, encrypt, sign and anchor a FHIR R4 resource as a record of a patient (needs an append consent unless you are the patient)',
      )
      .requiredOption('--patient <address>', 'the patient')
      .requiredOption('--category <category>', `one of ${categories.join(', ')}`)
      .option('--sensitivity <level>', `one of ${sensitivities.join(', ')}`, 'normal')
      .requiredOption('--file <fhir.json>', 'the FHIR R4 resource (JSON)')
      .option('--supersedes <recordId>', 'the record this one amends'),
  ).action(async (options, command: Command) => {
    if (!isCategory(options.category)) {
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
    const resource = parseResourceJson(text, options.category);
    const result = await (await clientFor(command)).addRecord({
      patient: parseAddress(options.patient, 'patient'),
      category: options.category,
      sensitivity: options.sensitivity,
      resource,
      ...(options.supersedes ? { supersedes: options.supersedes as Hex } : {}),
    });
    print(globalOptions(command), result, () =>
      [
        `recordId: ${result.recordId}`,
        `cid:      ${result.cid}`,
        `anchored in block ${result.blockNumber} (${result.transactionHash})`,
      ].join('\n'),
    );
  });

  actingCommand(
    record
      .command('list')
      .description('List the metadata of a patient’s records that you may see, each final or draft')
      .requiredOption('--patient <address>', 'the patient'),
  ).action(async (options, command: Command) => {
    const result = await (await clientFor(command)).listRecords(parseAddress(options.patient, 'patient'));
    print(globalOptions(command), result, () =>
      result.records.length
        ? result.records
            .map(
              (r) =>
                `${r.recordId}  ${r.category}/${r.sensitivity}  by ${r.author}  ${new Date(r.createdAt * 1000).toISOString()}  ${r.cid}${r.stamp ? `  ${r.stamp.status} (${r.stamp.signers.length} signer${r.stamp.signers.length === 1 ? '' : 's'})` : ''}`,
            )
            .join('\n')
        : 'no records you may see',
    );
  });

  actingCommand(
    record
      .command('rekey')
      .description(
        'As the patient, encrypt a record again under a fresh key as a new version that supersedes it, ' +
          'so that a reader who kept the old key (before a revocation, say) gains nothing new',
      )
      .argument('<recordId>'),
  ).action(async (recordId: string, _options, command: Command) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(recordId))
      throw new InvalidInputError('Invalid record id: expected 0x and 64 hex digits.');
    const result = await (await clientFor(command)).rekeyRecord(recordId as Hex);
    print(
      globalOptions(command),
      result,
      `record ${recordId} re-keyed as ${result.recordId} (block ${result.blockNumber})`,
    );
  });

  actingCommand(
    record
      .command('get')
      .description(
        'Fetch, verify and decrypt a record; prints the FHIR JSON (or writes it to --out) and its stamp ' +
          '(final or draft, and its signers) on standard error',
      )
      .argument('<recordId>')
      .option('--out <file>', 'write the FHIR JSON to this file')
      .option('--purpose <code>', 'purpose of use (HL7 ActReason, e.g. TREAT)', 'TREAT'),
  ).action(async (recordId: string, options, command: Command) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(recordId))
      throw new InvalidInputError('Invalid record id: expected 0x and 64 hex digits.');
    const client = await clientFor(command);
    const { record, resource } = await client.readRecord(recordId as Hex, options.purpose);
    const stamp = await client.stamp(record.recordId);
    const json = `${JSON.stringify(resource, null, 2)}\n`;
    if (options.out) {
      await writeFile(options.out, json, { mode: 0o600 });
      print(globalOptions(command), { record: { ...record, stamp }, file: options.out }, () =>
        [`wrote ${record.category} record ${record.recordId} to ${options.out}`, describeStamp(stamp)].join(
          '\n',
        ),
      );
    } else {
      process.stdout.write(json);
      // Standard output stays the FHIR resource; the stamp goes beside it.
      if (!globalOptions(command).json) process.stderr.write(`${describeStamp(stamp)}\n`);
    }
  });
}
