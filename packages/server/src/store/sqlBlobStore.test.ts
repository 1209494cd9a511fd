import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { cidOf, IntegrityError, NotFoundError, randomBytes, utf8ToBytes } from '@medledger/core';
import { storeBackends } from '../../test/helpers/storeBackends.ts';
import { FileBlobStore } from './blobStore.ts';
import type { GatewayStores } from './gatewayStores.ts';
import { SqlBlobStore } from './sqlBlobStore.ts';

for (const backend of storeBackends) {
  describe(`SQL blob store on ${backend.name}`, () => {
    let stores: GatewayStores;
    let directory: string;
    let legacy: FileBlobStore;
    let blobs: SqlBlobStore;
    beforeEach(async () => {
      stores = await backend.open();
      directory = await mkdtemp(join(tmpdir(), 'medledger-legacy-blobs-'));
      legacy = new FileBlobStore(join(directory, 'blobs'));
      blobs = new SqlBlobStore(stores.database, { legacy });
    });
    afterEach(async () => {
      await stores.close();
      await rm(directory, { recursive: true, force: true });
    });

    const rows = async () => Number((await stores.database.get('SELECT COUNT(*) AS n FROM blobs'))?.n);

    it('deletes an erased record’s blob from the table and its legacy file (zeroed first), and again harmlessly', async () => {
      const inTable = await blobs.put(utf8ToBytes('erased ciphertext'));
      const legacyBytes = utf8ToBytes('legacy erased ciphertext');
      const inFile = await legacy.put(legacyBytes);
      await blobs.delete(inTable);
      await blobs.delete(inFile);
      assert.equal(await rows(), 0);
      assert.equal(await blobs.has(inTable), false);
      assert.equal(await blobs.has(inFile), false);
      await assert.rejects(blobs.get(inFile), NotFoundError);
      await blobs.delete(inTable);
    });

    it('stores bytes under their CID, in the table, and gives them back as a plain Uint8Array', async () => {
      const bytes = utf8ToBytes('ciphertext, really');
      const cid = await blobs.put(bytes);
      assert.equal(cid, cidOf(bytes));
      const read = await blobs.get(cid);
      assert.equal(Object.getPrototypeOf(read), Uint8Array.prototype);
      assert.deepEqual(read, bytes);
      assert.equal(await blobs.has(cid), true);
      assert.equal(await rows(), 1);
      assert.equal(await legacy.has(cid), false, 'new blobs go to the table only');
    });

    it('stores empty and large blobs', async () => {
      for (const bytes of [new Uint8Array(0), randomBytes(3 * 1024 * 1024)]) {
        assert.deepEqual(await blobs.get(await blobs.put(bytes)), bytes);
      }
    });

    it('is idempotent: the same bytes twice, even at once, make one row', async () => {
      const bytes = randomBytes(1000);
      const cids = await Promise.all([blobs.put(bytes), blobs.put(bytes), blobs.put(bytes)]);
      assert.equal(await blobs.put(bytes), cids[0]);
      assert.equal(new Set(cids).size, 1);
      assert.equal(await rows(), 1);
    });

    it('refuses a stored copy that was altered', async () => {
      const cid = await blobs.put(utf8ToBytes('the original'));
      await stores.database.run('UPDATE blobs SET bytes = $bytes WHERE cid = $cid', {
        cid,
        bytes: utf8ToBytes('the forgery'),
      });
      await assert.rejects(
        blobs.get(cid),
        (error: unknown) =>
          error instanceof IntegrityError &&
          /does not match its content address: it was altered/.test(error.message),
      );
    });

    it('answers NotFound for a CID it lacks, and for an invalid one without asking the database', async () => {
      const absent = cidOf(utf8ToBytes('never stored'));
      await assert.rejects(blobs.get(absent), NotFoundError);
      assert.equal(await blobs.has(absent), false);
      await stores.close();
      // The database is closed: an invalid CID is refused before any statement.
      for (const cid of [
        '',
        'not-a-cid',
        `b${'1'.repeat(40)}`,
        `b${'a'.repeat(10)}`,
        `b${'a'.repeat(120)}`,
        '../x',
      ]) {
        await assert.rejects(blobs.get(cid), NotFoundError, cid);
        await assert.rejects(blobs.has(cid), NotFoundError, cid);
      }
      stores = await backend.open();
    });

    it('reads blobs stored as files before the table, and checks them too', async () => {
      const old = utf8ToBytes('an envelope from before');
      const cid = await legacy.put(old);
      assert.equal(await blobs.has(cid), true);
      assert.deepEqual(await blobs.get(cid), old);
      assert.equal(await rows(), 0, 'reading a legacy blob does not copy it');
      const withoutLegacy = new SqlBlobStore(stores.database);
      assert.equal(await withoutLegacy.has(cid), false);
      await assert.rejects(withoutLegacy.get(cid), NotFoundError);
    });
  });
}
