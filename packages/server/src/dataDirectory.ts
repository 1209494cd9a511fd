/**
 * The data directory is private to the user running the gateway: it holds the keys, the database
 * (sessions, audit events, second-factor secrets) and the chain's state and socket.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Creates `dataDir` if needed and makes it 0700, its database files 0600, and every file the process
 * (and the anvil it starts) creates from now on private (umask 077). Directories and files made by
 * an earlier version, with wider modes, are narrowed at every start.
 */
export async function makeDataDirectoryPrivate(dataDir: string): Promise<void> {
  process.umask(0o077);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  for (const name of ['gateway.sqlite', 'gateway.sqlite-wal', 'gateway.sqlite-shm']) {
    const path = join(dataDir, name);
    if (existsSync(path)) await chmod(path, 0o600);
  }
}
