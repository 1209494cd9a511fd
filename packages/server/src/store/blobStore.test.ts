import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { cidOf, IntegrityError, NotFoundError, randomBytes, utf8ToBytes } from '@medledger/core';
import { FileBlobStore } from './blobStore.ts';

describe('FileBlobStore', () => {
  let directory: string;
  let blobs: FileBlobStore;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'medledger-blobs-'));
    blobs = new FileBlobStore(join(directory, 'blobs'));
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  /** Every file under the store, as paths relative to it. */
  async function files(): Promise<string[]> {
    return (await readdir(join(directory, 'blobs'), { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(join(directory, 'blobs').length + 1))
      .sort();
  }

  it('stores bytes under their CID and gives them back', async () => {
    const bytes = utf8ToBytes('ciphertext, really');
    const cid = await blobs.put(bytes);
    assert.equal(cid, cidOf(bytes));
    assert.match(cid, /^bafkrei[a-z2-7]+$/);
    assert.deepEqual(await blobs.get(cid), bytes);
    assert.equal(await blobs.has(cid), true);
    assert.deepEqual(await files(), [join(cid.slice(-2), cid)]);
    assert.deepEqual(new Uint8Array(await readFile(join(directory, 'blobs', cid.slice(-2), cid))), bytes);
  });

  it('stores empty and large blobs', async () => {
    for (const bytes of [new Uint8Array(0), randomBytes(3 * 1024 * 1024)]) {
      assert.deepEqual(await blobs.get(await blobs.put(bytes)), bytes);
    }
  });

  it('is idempotent: the same bytes twice, even at once, make one file', async () => {
    const bytes = randomBytes(1000);
    const cids = await Promise.all([blobs.put(bytes), blobs.put(bytes), blobs.put(bytes)]);
    assert.equal(await blobs.put(bytes), cids[0]);
    assert.deepEqual(new Set(cids).size, 1);
    assert.deepEqual(await files(), [join(cidOf(bytes).slice(-2), cidOf(bytes))]);
  });

  it('writes atomically: no temporary file is left behind', async () => {
    const contents = Array.from({ length: 40 }, (_, i) => randomBytes(100 + i));
    const cids = await Promise.all(contents.map((bytes) => blobs.put(bytes)));
    const stored = await files();
    assert.equal(stored.length, 40);
    assert.deepEqual(stored, cids.map((cid) => join(cid.slice(-2), cid)).sort());
    assert.ok(
      stored.every((path) => !/\.tmp$|\/\./.test(path)),
      stored.join('\n'),
    );
  });

  it('refuses an unknown CID with NotFoundError', async () => {
    const cid = cidOf(utf8ToBytes('never stored'));
    await assert.rejects(blobs.get(cid), NotFoundError);
    assert.equal(await blobs.has(cid), false);
  });

  it('refuses a malformed CID, including one that looks like a path', async () => {
    await blobs.put(utf8ToBytes('something'));
    for (const cid of [
      '',
      'not-a-cid',
      '../../etc/passwd',
      `b${'a'.repeat(101)}`,
      'BAFKREIAAAAAAAAAAAAAAAAAAAAAA',
      'b/../../x',
    ]) {
      await assert.rejects(blobs.get(cid), NotFoundError, cid);
    }
  });

  it('refuses a stored copy that was altered, with IntegrityError', async () => {
    const bytes = randomBytes(256);
    const cid = await blobs.put(bytes);
    const file = join(directory, 'blobs', cid.slice(-2), cid);
    const altered = new Uint8Array(bytes);
    altered[100] = (altered[100] ?? 0) ^ 0x80;
    await writeFile(file, altered);
    await assert.rejects(blobs.get(cid), IntegrityError);
    await writeFile(file, bytes.slice(0, 255));
    await assert.rejects(blobs.get(cid), IntegrityError);
    await writeFile(file, new Uint8Array(0));
    await assert.rejects(blobs.get(cid), /altered/);
    await writeFile(file, bytes); // restored

    assert.deepEqual(await blobs.get(cid), bytes);
  });

  it('refuses bytes stored under another blob’s CID', async () => {
    const first = await blobs.put(utf8ToBytes('first'));
    const second = await blobs.put(utf8ToBytes('second'));
    await writeFile(join(directory, 'blobs', first.slice(-2), first), utf8ToBytes('second'));
    await assert.rejects(blobs.get(first), IntegrityError);
    assert.deepEqual(await blobs.get(second), utf8ToBytes('second'));
  });
});
