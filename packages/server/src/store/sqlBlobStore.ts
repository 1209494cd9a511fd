/**
 * Blobs in the gateway's database (SQLite or PostgreSQL), in the `blobs` table: a record's blob is
 * written in the same group commits as the rest of the database's writes, one fsync shared by the
 * writes that arrive together, rather than a file and two fsyncs of its own. Several gateway
 * processes on one PostgreSQL share their blobs through it.
 *
 * Blobs written as files before the table existed (`FileBlobStore`) are read through `legacy`: new
 * blobs go to the table only.
 *
 * An erased record's blob is deleted (`delete`): on SQLite the database zeroes freed pages
 * (`secure_delete`, see sqliteDatabase.ts) and the WAL is then truncated; on PostgreSQL the deleted row
 * stays in the table's dead tuples until VACUUM, which `delete` runs on the table.
 */
import { cidOf, IntegrityError, NotFoundError, verifyCid } from '@medledger/core';
import { type BlobStore, requireBlobCid } from './blobStore.ts';
import type { SqlDatabase } from './sqlDatabase.ts';
import { SqliteDatabase } from './sqliteDatabase.ts';

export interface SqlBlobStoreOptions {
  /** Where blobs stored before the table are read from when the table has no row for them. */
  legacy?: BlobStore;
}

export class SqlBlobStore implements BlobStore {
  readonly #db: SqlDatabase;
  readonly #legacy: BlobStore | undefined;

  constructor(db: SqlDatabase, options: SqlBlobStoreOptions = {}) {
    this.#db = db;
    this.#legacy = options.legacy;
  }

  /** Stores `bytes` under their CID; durable when it resolves. The same bytes twice make one row. */
  async put(bytes: Uint8Array): Promise<string> {
    const cid = cidOf(bytes);
    await this.#db.run('INSERT INTO blobs (cid, bytes) VALUES ($cid, $bytes) ON CONFLICT (cid) DO NOTHING', {
      cid,
      bytes,
    });
    return cid;
  }

  async get(cid: string): Promise<Uint8Array> {
    requireBlobCid(cid);
    const row = await this.#db.get('SELECT bytes FROM blobs WHERE cid = $cid', { cid });
    if (!row) {
      if (this.#legacy) return this.#legacy.get(cid, { localOnly: true });
      throw new NotFoundError(`No blob ${cid}.`);
    }
    // node:sqlite gives a Uint8Array and pg a Buffer: either is copied into a plain Uint8Array.
    const bytes = new Uint8Array(row.bytes as Uint8Array);
    if (!verifyCid(cid, bytes)) {
      throw new IntegrityError(`The stored blob ${cid} does not match its content address: it was altered.`);
    }
    return bytes;
  }

  async has(cid: string): Promise<boolean> {
    requireBlobCid(cid);
    if (await this.#db.get('SELECT 1 AS found FROM blobs WHERE cid = $cid', { cid })) return true;
    return this.#legacy ? this.#legacy.has(cid) : false;
  }

  async delete(cid: string): Promise<void> {
    requireBlobCid(cid);
    await this.#db.run('DELETE FROM blobs WHERE cid = $cid', { cid });
    await this.#legacy?.delete(cid);
    if (this.#db.dialect === 'postgres') await this.#db.run('VACUUM blobs');
    else if (this.#db instanceof SqliteDatabase) await this.#db.checkpoint();
  }
}
