/**
 * A throwaway PostgreSQL server for tests: Debian's PostgreSQL (`/usr/lib/postgresql/<n>/bin`),
 * initialised in a temporary directory, listening on 127.0.0.1 on a free port (its unix socket in
 * the same directory), trusting local connections. initdb refuses to run as root, so as root the
 * server runs as the `postgres` user, in a directory given to it. Durability is off (`fsync`):
 * what a test writes need not survive a power cut.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@medledger/ledger-node';
import pg from 'pg';

export interface TestPostgres {
  /** The URL of the server's `postgres` database. */
  url: string;
  /** The postmaster's process id (each connection's backend is a child of it). */
  pid: number;
  /** Creates an empty database; resolves with its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

const run = promisify(execFile);

/** The newest PostgreSQL installed, e.g. `/usr/lib/postgresql/15/bin`. */
function postgresBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql',
    );
  }
  return join(root, versions[0], 'bin');
}

/** As root, the command runs as the `postgres` user (initdb and postgres refuse root). */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args]];
}

/**
 * Starts a server; resolves once it accepts connections.
 *
 * @example
 * const postgres = await startTestPostgres();
 * after(() => postgres.stop());
 * const url = await postgres.createDatabase();
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinaries();
  const directory = await mkdtemp(join(tmpdir(), 'medledger-postgres-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    chownSync(directory, Number(stdout.trim()), Number(group.trim()));
  }
  const data = join(directory, 'data');
  const [initdb, initdbArgs] = asPostgresUser(join(bin, 'initdb'), [
    '--pgdata',
    data,
    '--username=postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  await run(initdb, initdbArgs);
  const port = await freePort();
  const [postgres, postgresArgs] = asPostgresUser(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    directory,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
  ]);
  const server = spawn(postgres, postgresArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  await untilReady(server);
  // The server does not keep the test process alive; if the process ends without `stop`, it ends too.
  server.unref();
  (server.stderr as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();
  // A process that ends by `process.exit` (no `beforeExit`) stops the server here: immediate
  // shutdown, and a detached shell that removes its directory once it has exited (the test
  // process cannot wait for that).
  const killOnExit = () => {
    server.kill('SIGQUIT');
    spawn(
      'sh',
      ['-c', `while kill -0 ${server.pid} 2>/dev/null; do sleep 0.1; done; rm -rf "$0"`, directory],
      {
        detached: true,
        stdio: 'ignore',
      },
    ).unref();
  };
  process.once('exit', killOnExit);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  let stopping: Promise<void> | undefined;
  return {
    url,
    pid: server.pid ?? 0,
    async createDatabase() {
      const name = `medledger_test_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop() {
      stopping ??= (async () => {
        process.off('exit', killOnExit);
        server.ref();
        // SIGINT: fast shutdown (connections ended, no wait for clients to leave).
        if (server.exitCode === null) server.kill('SIGINT');
        await exited;
        rmSync(directory, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** Resolves when the server says it accepts connections; rejects if it exits first. */
function untilReady(server: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('ready to accept connections')) {
        server.stderr?.off('data', onData);
        server.off('exit', onExit);
        server.stderr?.resume();
        resolve();
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`postgres exited (${code}) before it was ready:\n${log}`));
    server.stderr?.on('data', onData);
    server.once('exit', onExit);
  });
}

let shared: Promise<TestPostgres> | undefined;

/**
 * One server for the whole test process, started on first use and stopped when the process has
 * nothing left to do or exits (it does not keep the process alive).
 */
export function sharedTestPostgres(): Promise<TestPostgres> {
  shared ??= startTestPostgres().then((postgres) => {
    process.once('beforeExit', () => void postgres.stop());
    return postgres;
  });
  return shared;
}
