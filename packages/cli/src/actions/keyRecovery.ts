/**
 * `medledger key backup` and `medledger key recover start|pending|approve|finish`: a patient's keys
 * split among guardians, and recovered on a new device with k of them.
 */
import { existsSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import {
  approveKeyRecovery,
  backUpKey,
  finishKeyRecovery,
  type PendingKeyRecovery,
  pendingKeyRecoveries,
  startKeyRecovery,
} from '@medledger/client';
import { ConflictError, InvalidInputError, signerAddressOf } from '@medledger/core';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { clientFor, globalOptions, parseAddress, parseInteger } from '../context.ts';
import { writeKeyFile, writeSecretFile } from '../keyFile.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

export const backUp: ActionHandler = async (options, command: Command) => {
  const guardians = String(options.guardians)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => parseAddress(item, 'guardian'));
  const threshold = parseInteger(options.threshold, 'threshold');
  const result = await backUpKey(await clientFor(command), { guardians, threshold });
  print(globalOptions(command), result, () =>
    [
      `backup ${result.backupId} of patient ${result.patient}`,
      `any ${result.threshold} of ${result.guardians.length} guardians recover it: ${result.guardians.join(', ')}`,
      `committed on chain in block ${result.blockNumber} (hash ${result.backupHash})`,
    ].join('\n'),
  );
};

export const startRecovery: ActionHandler = async (options, command: Command) => {
  const out = String(options.out);
  const patient = parseAddress(options.patient, 'patient');
  refuseExisting(out);
  refuseExisting(pendingPath(out));
  const { server } = globalOptions(command);
  const pending = await startKeyRecovery(server, patient);
  await writeSecretFile(pendingPath(out), { version: 1, kind: 'medledger-key-recovery', ...pending });
  const { request, code } = pending;
  const result = {
    requestId: request.requestId,
    patient: request.patient,
    code,
    threshold: pending.threshold,
    guardianCount: pending.guardianCount,
    expiresAt: pending.expiresAt,
    pendingFile: pendingPath(out),
  };
  print(globalOptions(command), result, () =>
    [
      `recovery request ${request.requestId} for patient ${request.patient}`,
      `verification code: ${code}`,
      '',
      `Tell ${pending.threshold} of your ${pending.guardianCount} guardians the request id and the code yourself`,
      '(in person or by phone, not through this gateway), and ask each to run:',
      `  medledger key recover approve ${request.requestId} --code ${code} --as THEIR_KEYFILE`,
      `Then run: medledger key recover finish ${request.requestId} --out ${out}`,
      `The request expires at ${new Date(pending.expiresAt * 1000).toISOString()}.`,
      `${pendingPath(out)} opens your guardians' shares: keep it private.`,
    ].join('\n'),
  );
};

export const pendingRecoveries: ActionHandler = async (_options, command: Command) => {
  const requests = await pendingKeyRecoveries(await clientFor(command));
  print(globalOptions(command), { requests }, () =>
    requests.length
      ? requests
          .map(
            ({ request, expiresAt, approved }) =>
              `${request.requestId}  patient ${request.patient}  asked ${isoTime(request.createdAt)}  ` +
              `expires ${isoTime(expiresAt)}${approved ? '  (you approved)' : ''}`,
          )
          .join('\n')
      : 'no open recovery requests',
  );
};

export const approveRecovery: ActionHandler = async (requestId: string, options, command: Command) => {
  const result = await approveKeyRecovery(await clientFor(command), parseRequestId(requestId), options.code);
  const { request, backup, expiresAt } = result.details;
  const summary = {
    requestId: request.requestId,
    patient: request.patient,
    backupId: backup.backupId,
    requestedAt: request.createdAt,
    expiresAt,
    recoveryKey: request.recoveryKey,
    approvals: result.approvals,
    threshold: result.threshold,
  };
  print(globalOptions(command), summary, () =>
    [
      `approved: your share of the key backup of patient ${request.patient} is sealed to the device that`,
      `asked at ${isoTime(request.createdAt)} (recovery key ${request.recoveryKey}).`,
      `${result.approvals} of the ${result.threshold} approvals needed are in.`,
    ].join('\n'),
  );
};

export const finishRecovery: ActionHandler = async (requestId: string, options, command: Command) => {
  const out = String(options.out);
  const pending = await readPending(pendingPath(out));
  if (pending.request.requestId !== parseRequestId(requestId)) {
    throw new InvalidInputError(
      `${pendingPath(out)} holds request ${pending.request.requestId}, not ${requestId}.`,
    );
  }
  refuseExisting(out);
  const identity = await finishKeyRecovery(pending);
  await writeKeyFile(out, identity);
  await unlink(pendingPath(out));
  const result = { patient: identity.address, signer: signerAddressOf(identity), file: out };
  print(globalOptions(command), result, () =>
    [
      `recovered the keys of patient ${identity.address} into ${out}`,
      'If your old device may be in someone else’s hands, rotate your keys now:',
      `  medledger key rotate --as ${out} --out NEW_KEYFILE`,
    ].join('\n'),
  );
};

/** Where `start` keeps the request's secrets until `finish`. */
function pendingPath(out: string): string {
  return `${out}.recovery`;
}

async function readPending(path: string): Promise<PendingKeyRecovery> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new InvalidInputError(
      `Cannot read ${path}: run \`medledger key recover start\` with the same --out first.`,
    );
  }
  if (raw.kind !== 'medledger-key-recovery' || raw.version !== 1) {
    throw new InvalidInputError(`${path} is not a pending key recovery.`);
  }
  return raw as unknown as PendingKeyRecovery;
}

function refuseExisting(path: string): void {
  if (existsSync(path)) throw new ConflictError(`${path} already exists; refusing to overwrite it.`);
}

function parseRequestId(value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new InvalidInputError('Invalid request id: expected 0x and 64 hex digits.');
  }
  return value.toLowerCase() as Hex;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
