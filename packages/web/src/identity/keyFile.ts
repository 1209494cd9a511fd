/**
 * The CLI's key file format (`medledger key new`):
 * `{ "version": 1, "address", "signingKey", "encryptionSecretKey", "encryptionKey" }`.
 */
import { type Identity, identityFromKeys } from '@medledger/core';
import type { Hex } from 'viem';

/** The identity in a key file's text; throws a plain-words error for anything else. */
export function identityFromKeyFile(text: string): Identity {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('This file is not a medledger key file: it is not JSON.');
  }
  if (
    raw === null ||
    typeof raw !== 'object' ||
    raw.version !== 1 ||
    typeof raw.signingKey !== 'string' ||
    typeof raw.encryptionSecretKey !== 'string'
  ) {
    throw new Error('This file is not a medledger key file (version 1).');
  }
  const identity = identityFromKeys({
    signingKey: raw.signingKey as Hex,
    encryptionSecretKey: raw.encryptionSecretKey as Hex,
  });
  if (typeof raw.address === 'string' && raw.address.toLowerCase() !== identity.address.toLowerCase()) {
    throw new Error(`This key file names ${raw.address} but its key belongs to ${identity.address}.`);
  }
  return identity;
}

/** An identity as key file text, for a backup the CLI can use too. */
export function keyFileOf(identity: Identity): string {
  return `${JSON.stringify(
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
}
