/**
 * Tampering with a gateway's stored blobs, for tests that prove an altered copy is refused: the
 * blob's bytes are changed in the gateway's database (SQLite file or PostgreSQL), where blobs are
 * kept, through a connection of the test's own.
 */
import { openSqlDatabase } from '../../src/store/gatewayStores.ts';

/**
 * Flips one bit in the middle of the blob `cid` stored in the database at `storeLocation` (a
 * SQLite path or a `postgres://` URL) and resolves with a function that puts the original back.
 *
 * @example
 * const restore = await alterStoredBlob(gateway.storeLocation, cid);
 * // ... reads are refused ...
 * await restore();
 */
export async function alterStoredBlob(storeLocation: string, cid: string): Promise<() => Promise<void>> {
  const original = await withDatabase(storeLocation, async (database) => {
    const row = await database.get('SELECT bytes FROM blobs WHERE cid = $cid', { cid });
    if (!row) throw new Error(`The store at ${storeLocation} holds no blob ${cid}.`);
    const bytes = new Uint8Array(row.bytes as Uint8Array);
    const altered = bytes.slice();
    const index = Math.floor(altered.length / 2);
    altered[index] = (altered[index] ?? 0) ^ 0x01;
    await database.run('UPDATE blobs SET bytes = $bytes WHERE cid = $cid', { cid, bytes: altered });
    return bytes;
  });
  return () =>
    withDatabase(storeLocation, async (database) => {
      await database.run('UPDATE blobs SET bytes = $bytes WHERE cid = $cid', { cid, bytes: original });
    });
}

async function withDatabase<T>(
  storeLocation: string,
  work: (database: Awaited<ReturnType<typeof openSqlDatabase>>) => Promise<T>,
): Promise<T> {
  const database = await openSqlDatabase(storeLocation);
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}
