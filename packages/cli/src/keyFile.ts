/**
 * Key files on disk: an identity's two secret keys in a file readable by its owner only (mode
 * 0600). The format is `parseKeyFile`/`serializeKeyFile` in `@medledger/core`.
 */

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type FileHandle, link, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  ConflictError,
  generateIdentity,
  type Identity,
  InvalidInputError,
  parseKeyFile,
  serializeKeyFile,
} from '@medledger/core';

/** The identity in the key file at `path` (format: `parseKeyFile` in `@medledger/core`). */
export async function readKeyFile(path: string): Promise<Identity> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InvalidInputError(`Cannot read the key file ${path}.`, { reason: 'key_file_unreadable' });
  }
  try {
    return parseKeyFile(text);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new InvalidInputError(`${path}: ${error.shortMessage}`, {
      ...(error.reason ? { reason: error.reason } : {}),
      ...(error.fields ? { fields: error.fields } : {}),
    });
  }
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
  await writeSecretFile(path, serializeKeyFile(identity));
}

/** How `writeSecretFile` treats an existing file. */
export interface WriteSecretFileOptions {
  /** Replace an existing file (atomically, by a rename); by default an existing file is refused. */
  overwrite?: boolean;
  /** The `reason` of the `ConflictError` for an existing file, e.g. `export_exists`. */
  existsReason?: string;
}

/**
 * Writes text (or a value as JSON) to a new file of mode 0600, synced to disk with its directory entry (a key file must
 * survive a power cut that follows, say, the rotation it was written for); `ConflictError` if
 * `path` exists, even if it appears meanwhile, unless `overwrite`. The file is complete or absent
 * (or, overwritten, the old one): it is written aside in the same directory, then linked or renamed
 * into place.
 */
export async function writeSecretFile(
  path: string,
  value: unknown,
  { overwrite = false, existsReason }: WriteSecretFileOptions = {},
): Promise<void> {
  const text = typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`;
  const exists = () =>
    new ConflictError(`${path} already exists; refusing to overwrite it.`, {
      ...(existsReason ? { reason: existsReason } : {}),
    });
  if (!overwrite && existsSync(path)) throw exists();
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  let file: FileHandle;
  try {
    file = await open(temporary, 'wx', 0o600);
  } catch (error) {
    throw new InvalidInputError(`Cannot write ${path}.`, { cause: error, reason: 'file_unwritable' });
  }
  let placed = false;
  try {
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    if (overwrite) {
      await rename(temporary, path);
      placed = true;
    } else {
      try {
        await link(temporary, path);
      } catch (error) {
        throw (error as NodeJS.ErrnoException).code === 'EEXIST' ? exists() : error;
      }
    }
  } finally {
    if (!placed) await unlink(temporary).catch(() => undefined);
  }
  const directory = await open(dirname(resolve(path)), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
