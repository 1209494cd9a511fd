/**
 * Key files: an identity's two secret keys in a JSON file readable by its owner only (mode 0600).
 * `{ "version": 1, "address", "signingKey", "encryptionSecretKey", "encryptionKey" }`, and
 * `"account"` when the key acts for another address: a patient's key after a rotation signs for the
 * address the patient registered with (`address` is always the signing key's own).
 */

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  ConflictError,
  generateIdentity,
  type Identity,
  InvalidInputError,
  identityFromKeys,
  signerAddressOf,
} from '@medledger/core';
import { type Address, type Hex, isAddressEqual } from 'viem';

export async function readKeyFile(path: string): Promise<Identity> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InvalidInputError(`Cannot read the key file ${path}.`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`The key file ${path} is not JSON.`);
  }
  if (
    raw.version !== 1 ||
    typeof raw.signingKey !== 'string' ||
    typeof raw.encryptionSecretKey !== 'string'
  ) {
    throw new InvalidInputError(`The key file ${path} is not a medledger key file (version 1).`);
  }
  if (raw.account !== undefined && typeof raw.account !== 'string') {
    throw new InvalidInputError(`The key file ${path} has an account that is not an address.`);
  }
  const identity = identityFromKeys({
    signingKey: raw.signingKey as Hex,
    encryptionSecretKey: raw.encryptionSecretKey as Hex,
    ...(raw.account === undefined ? {} : { account: raw.account as Address }),
  });
  const signer = signerAddressOf(identity);
  if (typeof raw.address === 'string' && raw.address.toLowerCase() !== signer.toLowerCase()) {
    throw new InvalidInputError(
      `The key file ${path} names address ${raw.address} but its key belongs to ${signer}.`,
    );
  }
  return identity;
}

/** Writes a new identity to `path`; refuses to overwrite an existing file. */
export async function createKeyFile(path: string): Promise<Identity> {
  const identity = generateIdentity();
  await writeKeyFile(path, identity);
  return identity;
}

/**
 * Writes an identity's keys to a new file readable by its owner only; refuses to overwrite an
 * existing file. The file is complete or absent: it is written aside, then renamed into place.
 */
export async function writeKeyFile(path: string, identity: Identity): Promise<void> {
  const signer = signerAddressOf(identity);
  const account = isAddressEqual(signer, identity.address) ? {} : { account: identity.address };
  await writeSecretFile(path, {
    version: 1,
    address: signer,
    ...account,
    signingKey: identity.signingKey,
    encryptionSecretKey: identity.encryption.secretKey,
    encryptionKey: identity.encryption.publicKey,
  });
}

/**
 * Writes JSON to a new file of mode 0600, synced to disk with its directory entry (a key file must
 * survive a power cut that follows, say, the rotation it was written for); `ConflictError` if
 * `path` exists, even if it appears meanwhile.
 */
export async function writeSecretFile(path: string, value: unknown): Promise<void> {
  const exists = () => new ConflictError(`${path} already exists; refusing to overwrite it.`);
  if (existsSync(path)) throw exists();
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code === 'EEXIST' ? exists() : error;
  } finally {
    await unlink(temporary);
  }
  const directory = await open(dirname(resolve(path)), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
