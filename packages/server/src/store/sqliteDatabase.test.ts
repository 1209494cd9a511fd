import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SqliteDatabase } from './sqliteDatabase.ts';

describe('the SQLite database: group commit and a reading connection', () => {
  let directory: string;
  let path: string;
  let db: SqliteDatabase;
  /** Another process's view of the file: only what is committed. */
  let outside: DatabaseSync;
  const committedRows = () =>
    Number((outside.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n);

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'medledger-sqlite-'));
    path = join(directory, 'gateway.sqlite');
    db = new SqliteDatabase(path);
    await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, value TEXT NOT NULL)');
    outside = new DatabaseSync(path, { readOnly: true });
  });
  afterEach(async () => {
    outside.close();
    await db.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('commits transactions that arrive together in one commit, each resolving once it is on disk', async () => {
    const seenInside: number[] = [];
    const seenOutside: number[] = [];
    const writes = Array.from({ length: 40 }, (_, index) =>
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (id, value) VALUES ($id, $value)', { id: index + 1, value: `v${index}` });
        seenInside.push(Number((await tx.get('SELECT count(*) AS n FROM t'))?.n));
        seenOutside.push(committedRows());
        return index;
      }),
    );
    const results = await Promise.all(writes);
    assert.deepEqual(
      results,
      Array.from({ length: 40 }, (_, index) => index),
    );
    // All 40 ran in one database transaction: each saw its predecessors, nobody outside saw any.
    assert.deepEqual(
      seenInside,
      Array.from({ length: 40 }, (_, index) => index + 1),
    );
    assert.deepEqual(seenOutside, Array(40).fill(0));
    // Resolved means committed: visible to another connection.
    assert.equal(committedRows(), 40);
  });

  it('rolls back a failing transaction alone; the others of its commit stay', async () => {
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map((id) =>
        db.transaction(async (tx) => {
          await tx.run('INSERT INTO t (id, value) VALUES ($id, $value)', { id, value: `v${id}` });
          if (id === 2) throw new Error('refused');
        }),
      ),
    );
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const ids = (await db.all('SELECT id FROM t ORDER BY id')).map((row) => Number(row.id));
    assert.deepEqual(ids, [1, 3]);
  });

  it('reads outside transactions neither wait for an open one nor see what it has not committed', async () => {
    let finish: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const writing = db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (id, value) VALUES (1, $value)', { value: 'uncommitted' });
      await held;
    });
    // The writer holds its transaction open; a read answers at once, from what is committed.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await db.get('SELECT value FROM t WHERE id = 1'), undefined);
    finish();
    await writing;
    assert.equal((await db.get('SELECT value FROM t WHERE id = 1'))?.value, 'uncommitted');
  });

  it('a statement outside a transaction is committed when it resolves', async () => {
    const { changes } = await db.run('INSERT INTO t (id, value) VALUES (7, $value)', { value: 'x' });
    assert.equal(changes, 1);
    assert.equal(committedRows(), 1);
  });

  it('two connections in one process writing at once wait for each other without a deadlock', async () => {
    const other = new SqliteDatabase(path);
    try {
      // `db` keeps a group open (its commit waits for the event loop) while `other` wants the lock.
      const writes = Array.from({ length: 30 }, (_, index) =>
        (index % 2 ? other : db).run('INSERT INTO t (id, value) VALUES ($id, $value)', {
          id: index + 1,
          value: 'x',
        }),
      );
      await Promise.all(writes);
      assert.equal(committedRows(), 30);
    } finally {
      await other.close();
    }
  });

  it('keeps what was committed across reopening, and closes only once nothing is open', async () => {
    const writes = Array.from({ length: 10 }, (_, index) =>
      db.run('INSERT INTO t (id, value) VALUES ($id, $value)', { id: index + 1, value: 'x' }),
    );
    await db.close();
    await Promise.all(writes);
    db = new SqliteDatabase(path);
    assert.equal(Number((await db.get('SELECT count(*) AS n FROM t'))?.n), 10);
  });
});
