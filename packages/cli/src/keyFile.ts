/**
 * Key files: an identity's two secret keys in a JSON file readable by its owner only (mode 0600).
 * `{ "version": 1, "address", "signingKey", "encryptionSecretKey", "encryptionKey" }`
 */
import { existsSync } from 'node:fs';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import {
  ConflictError,
  generateIdentity,
  type Identity,
  InvalidInputError,
  identityFromKeys,
} from '@medledger/core';
import type { Hex } from 'viem';

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
  const identity = identityFromKeys({
    signingKey: raw.signingKey as Hex,
    encryptionSecretKey: raw.encryptionSecretKey as Hex,
  });
  if (typeof raw.address === 'string' && raw.address.toLowerCase() !== identity.address.toLowerCase()) {
    throw new InvalidInputError(
      `The key file ${path} names address ${raw.address} but its key belongs to ${identity.address}.`,
    );
  }
  return identity;
}

/** Writes a new identity to `path`; refuses to overwrite an existing file. */
export async function createKeyFile(path: string): Promise<Identity> {
  if (existsSync(path)) throw new ConflictError(`${path} already exists; refusing to overwrite a key file.`);
  const identity = generateIdentity();
  const text = `${JSON.stringify(
    {
      version: 1,
      address: identity.address,
      signingKey: identity.signingKey,
      encryptionSecretKey: identity.encryption.secretKey,
      encryptionKey: identity.encryption.publicKey,
    },
    null,
    2,
  )}\n`;
  const temporary = `${path}.tmp`;
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return identity;
}
