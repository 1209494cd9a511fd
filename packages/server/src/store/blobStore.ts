/**
 * Content-addressed blob store. A blob's name is its CID (CIDv1, raw, sha2-256), so any copy can
 * be checked by anyone; reads verify the bytes against the name before returning them.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cidOf, IntegrityError, NotFoundError, verifyCid } from '@medledger/core';

export interface BlobStore {
  /** Stores `bytes` durably and returns their CID. Storing the same bytes twice is harmless. */
  put(bytes: Uint8Array): Promise<string>;
  /**
   * The bytes named `cid`, verified; `IntegrityError` if the stored copy was altered. A store that
   * can fetch from elsewhere does so unless `localOnly`.
   */
  get(cid: string, options?: { localOnly?: boolean }): Promise<Uint8Array>;
  has(cid: string): Promise<boolean>;
  /** Destroys this store's copy of `cid` (an erased record's blob), if it holds one. */
  delete(cid: string): Promise<void>;
}

/**
 * Throws `NotFoundError` unless `cid` has the form of a blob's CID (CIDv1, base32): others name no
 * blob, and are refused before any file or row is looked up.
 */
export function requireBlobCid(cid: string): void {
  if (!/^b[a-z2-7]{20,100}$/.test(cid)) throw new NotFoundError(`No blob ${cid}.`);
}

/**
 * One file per blob under `directory/<2 chars>/<cid>`, written atomically (temporary file, fsync,
 * rename, fsync of the directory). The gateway's store before blobs moved into its database
 * (`SqlBlobStore`), which reads the files it left under `DATA/blobs` through this class.
 */
export class FileBlobStore implements BlobStore {
  readonly #directory: string;

  constructor(directory: string) {
    this.#directory = directory;
  }

  #pathOf(cid: string): { directory: string; file: string } {
    requireBlobCid(cid);
    const directory = join(this.#directory, cid.slice(-2));
    return { directory, file: join(directory, cid) };
  }

  async put(bytes: Uint8Array): Promise<string> {
    const cid = cidOf(bytes);
    const { directory, file } = this.#pathOf(cid);
    if (existsSync(file)) return cid;
    await mkdir(directory, { recursive: true });
    const temporary = join(directory, `.${cid}.${randomUUID()}.tmp`);
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    const directoryHandle = await open(directory, 'r');
    try {
      await directoryHandle.sync();
    } finally {
      await directoryHandle.close();
    }
    return cid;
  }

  async get(cid: string): Promise<Uint8Array> {
    const { file } = this.#pathOf(cid);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`No blob ${cid}.`);
      throw error;
    }
    if (!verifyCid(cid, bytes)) {
      throw new IntegrityError(`The stored blob ${cid} does not match its content address: it was altered.`);
    }
    return bytes;
  }

  async has(cid: string): Promise<boolean> {
    return existsSync(this.#pathOf(cid).file);
  }

  /** Overwrites the file with zeros before removing it, so that its bytes do not stay in free blocks. */
  async delete(cid: string): Promise<void> {
    const { file } = this.#pathOf(cid);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(file, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      await handle.write(new Uint8Array(size), 0, size, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rm(file, { force: true });
  }
}
