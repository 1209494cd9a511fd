import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeDataDirectoryPrivate } from './dataDirectory.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;

test('a data directory made by an earlier version is narrowed, and new files are private', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'medledger-private-'));
  const umask = process.umask();
  try {
    await chmod(dataDir, 0o755);
    for (const name of ['gateway.sqlite', 'gateway.sqlite-wal', 'gateway.sqlite-shm']) {
      await writeFile(join(dataDir, name), '', { mode: 0o644 });
      await chmod(join(dataDir, name), 0o644);
    }
    await makeDataDirectoryPrivate(dataDir);
    assert.equal(modeOf(dataDir), 0o700);
    for (const name of ['gateway.sqlite', 'gateway.sqlite-wal', 'gateway.sqlite-shm']) {
      assert.equal(modeOf(join(dataDir, name)), 0o600, name);
    }
    await writeFile(join(dataDir, 'deployment.json'), '{}');
    assert.equal(modeOf(join(dataDir, 'deployment.json')), 0o600);

    const fresh = join(dataDir, 'fresh', 'data');
    await makeDataDirectoryPrivate(fresh);
    assert.equal(modeOf(fresh), 0o700);
  } finally {
    process.umask(umask);
    await rm(dataDir, { recursive: true, force: true });
  }
});
