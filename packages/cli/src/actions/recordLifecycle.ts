import { createInterface } from 'node:readline/promises';
import { erasureReasons, InvalidInputError, isErasureReason } from '@medledger/core';
import type { Command } from 'commander';
import { clientFor, globalOptions } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';
import { parseRecordId } from './records.ts';

/** The reasons a signer may give itself (moved and retention ended come from the chain). */
const signerReasons = erasureReasons.slice(0, 2);

export const eraseRecord: ActionHandler = async (recordId: string | undefined, options, command: Command) => {
  const reason = options.reason ?? 'patient-request';
  if (!isErasureReason(reason) || !(signerReasons as readonly string[]).includes(reason)) {
    throw new InvalidInputError(`Unknown --reason "${reason}"; use one of: ${signerReasons.join(', ')}.`);
  }
  if (options.all && recordId) throw new InvalidInputError('Give a record id or --all, not both.');
  if (!options.all && !recordId) throw new InvalidInputError('Give the record id to erase, or --all.');
  const client = await clientFor(command);
  if (options.all) {
    if (reason !== 'patient-request') {
      throw new InvalidInputError(
        '--all erases your own chart, at your own request: --reason cannot be given.',
      );
    }
    await confirm(
      options.yes,
      `Erase every record of ${client.address}? Every gateway destroys their encrypted content and keys; ` +
        'this cannot be undone. Type ERASE to confirm: ',
    );
    const erased = await client.eraseChart();
    print(
      globalOptions(command),
      { erased },
      `erased ${erased.length} record${erased.length === 1 ? '' : 's'}`,
    );
    return;
  }
  const id = parseRecordId(recordId as string);
  const result = await client.eraseRecord(id, reason);
  print(
    globalOptions(command),
    result,
    `erased ${id} (${reason}) in block ${result.blockNumber}; every gateway destroys its copy`,
  );
};

export const deleteRecord: ActionHandler = async (recordId: string, options, command: Command) => {
  const id = parseRecordId(recordId);
  let retainUntil = 0;
  if (options.retainUntil) {
    const time = Date.parse(options.retainUntil);
    if (Number.isNaN(time) || time <= Date.now()) {
      throw new InvalidInputError('Invalid --retain-until: expected a date in the future (e.g. 2027-06-01).');
    }
    retainUntil = Math.floor(time / 1000);
  }
  const result = await (await clientFor(command)).hideRecord(id, retainUntil);
  print(
    globalOptions(command),
    { ...result, retainUntil },
    retainUntil
      ? `deleted ${id}: hidden, restorable until ${new Date(retainUntil * 1000).toISOString()}, then erased`
      : `deleted ${id}: hidden, restorable by its patient`,
  );
};

export const restoreRecord: ActionHandler = async (recordId: string, _options, command: Command) => {
  const id = parseRecordId(recordId);
  const result = await (await clientFor(command)).unhideRecord(id);
  print(globalOptions(command), result, `restored ${id}`);
};

/** Asks on the terminal unless `yes`; without a terminal, `--yes` is needed. */
async function confirm(yes: boolean | undefined, question: string): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) {
    throw new InvalidInputError(
      'Erasing a whole chart needs confirmation: run it in a terminal, or add --yes.',
      {
        reason: 'confirmation_needed',
      },
    );
  }
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    if ((await terminal.question(question)).trim() !== 'ERASE') {
      throw new InvalidInputError('Not confirmed: nothing was erased.', { reason: 'not_confirmed' });
    }
  } finally {
    terminal.close();
  }
}
