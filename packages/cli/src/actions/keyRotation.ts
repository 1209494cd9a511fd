/**
 * `medledger key rotate`: a patient moves to new keys and keeps its address, records and consents.
 */
import { unlink } from 'node:fs/promises';
import {
  createGatewayClient,
  keepRecordsReadable,
  keyBackupOf,
  newPatientKeys,
  rotateKey,
} from '@medledger/client';
import { MedledgerError, NotFoundError, signerAddressOf } from '@medledger/core';
import type { Command } from 'commander';
import { clientFor, globalOptions } from '../context.ts';
import { writeKeyFile } from '../keyFile.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

/** Errors after which the ledger certainly did not rotate the key (anything else: it may have). */
const refusals = new Set(['invalid_input', 'access_denied', 'not_found', 'conflict', 'unauthenticated']);

export const rotateKeys: ActionHandler = async (options, command: Command) => {
  const out = String(options.out);
  const client = await clientFor(command);
  const next = newPatientKeys(client);
  // Written before the rotation: once the chain has the new key, losing it would lose the patient.
  await writeKeyFile(out, next);
  let rotated: Awaited<ReturnType<typeof rotateKey>>;
  try {
    rotated = await rotateKey(client, next);
  } catch (error) {
    if (error instanceof MedledgerError && refusals.has(error.code)) await unlink(out);
    else if (error instanceof MedledgerError) {
      error.metaMessages?.push(`${out} holds the new keys, in case the rotation went through: keep it.`);
    }
    throw error;
  }
  const renewed = createGatewayClient({ url: client.url, identity: next });
  const records = await keepRecordsReadable(client.identity, renewed);
  const backup = await keyBackupOf(renewed, renewed.address).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  const result = { ...rotated, file: out, records, backupHoldsOldKey: backup !== undefined };
  print(globalOptions(command), result, () =>
    [
      `patient ${rotated.patient} now signs with ${signerAddressOf(next)} (block ${rotated.blockNumber});`,
      `its new keys are in ${out}; the key in ${globalOptions(command).as} signs nothing more.`,
      `records: ${records.readable.length} readable with the new keys, ${records.reencrypted.length} re-encrypted ` +
        `under them, ${records.unreadable.length} unreadable`,
      ...records.unreadable.map(({ recordId, reason }) => `  ${recordId}: ${reason}`),
      ...(backup
        ? [
            'Your key backup holds the old keys; back up the new ones:',
            `  medledger key backup --guardians ${backup.backup.guardians.map((g) => g.guardian).join(',')} ` +
              `--threshold ${backup.backup.threshold} --as ${out}`,
          ]
        : []),
    ].join('\n'),
  );
  if (records.unreadable.length) {
    throw new MedledgerError(
      `The keys were rotated, but ${records.unreadable.length} record(s) could not be read with the new keys.`,
    );
  }
};
