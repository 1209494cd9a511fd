/**
 * The embedded chain: a real anvil node (from the `@foundry-rs/anvil` registry package) whose state
 * is persisted in the data directory.
 *
 * Durability: anvil writes its whole state to `chain/state.json` when it exits on SIGINT/SIGTERM and
 * every `stateIntervalSeconds`. It is started under `setpriv --pdeathsig SIGTERM`, so when the
 * gateway process dies, even by SIGKILL, anvil still receives SIGTERM and writes its state. Before
 * each start the last state file that parses is kept as `state.json.bak`, so a dump cut short can
 * never lose more than what came after the previous good one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { LedgerUnavailableError } from '@medledger/core';

export interface EmbeddedChainOptions {
  /** Directory holding `state.json` and the pid file. Created when missing. */
  directory: string;
  /** Port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  chainId?: number;
  /** Seconds between periodic state dumps (besides the one on exit). */
  stateIntervalSeconds?: number;
  /** Seconds between blocks; when unset every transaction is mined at once (automine). */
  blockTimeSeconds?: number;
}

export interface EmbeddedChain {
  rpcUrl: string;
  chainId: number;
  pid: number;
  /** Resolves when anvil has exited, for whatever reason (a supervisor starts it again). */
  exited: Promise<void>;
  /** Stops anvil with SIGTERM and waits until it has written its state. */
  stop(): Promise<void>;
}

/** Anvil's gas limit per block here: one anchoring transaction may carry a few hundred records. */
const blockGasLimit = 2_000_000_000n;

export function anvilBinaryPath(): string {
  const require = createRequire(import.meta.url);
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`;
  return require.resolve(`${platformPackage}/bin/anvil`);
}

/**
 * Starts anvil with persistent state and resolves once it answers JSON-RPC.
 *
 * @example
 * const chain = await startEmbeddedChain({ directory: './data/chain' });
 * // ... use chain.rpcUrl
 * await chain.stop();
 */
export async function startEmbeddedChain(options: EmbeddedChainOptions): Promise<EmbeddedChain> {
  const { directory, chainId = 31337, stateIntervalSeconds = 5 } = options;
  await mkdir(directory, { recursive: true });
  const statePath = join(directory, 'state.json');
  const pidPath = join(directory, 'anvil.pid');
  await waitForPreviousInstance(pidPath, statePath);
  await keepLastGoodState(statePath);

  const port = options.port || (await freePort());
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--chain-id',
    String(chainId),
    '--state',
    statePath,
    '--state-interval',
    String(stateIntervalSeconds),
    '--gas-limit',
    String(blockGasLimit),
    '--code-size-limit',
    '100000',
    '--silent',
  ];
  if (options.blockTimeSeconds) args.push('--block-time', String(options.blockTimeSeconds));

  const anvil = spawnWithParentDeathSignal(anvilBinaryPath(), args);
  let stderr = '';
  anvil.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => anvil.once('exit', (code) => resolve(code)));
  const rpcUrl = `http://127.0.0.1:${port}`;
  const ready = await Promise.race([waitForRpc(rpcUrl, 30_000), exited.then(() => false)]);
  if (!ready) {
    anvil.kill('SIGKILL');
    throw new LedgerUnavailableError('The embedded chain (anvil) did not start.', {
      details: stderr.trim() || `nothing answered on ${rpcUrl}`,
    });
  }
  await writeFile(pidPath, String(anvil.pid));

  return {
    rpcUrl,
    chainId,
    pid: anvil.pid ?? 0,
    exited: exited.then(() => undefined),
    async stop() {
      if (anvil.exitCode === null && anvil.signalCode === null) {
        anvil.kill('SIGTERM');
        await exited;
      }
      await rm(pidPath, { force: true });
    },
  };
}

/**
 * Starts a child process that the kernel sends SIGTERM when its parent dies (Linux `setpriv
 * --pdeathsig`), so a crashed gateway never leaves anvil running without having its state written.
 * The child gets its own process group: Ctrl-C in a terminal reaches the parent only, which then
 * stops its children in order.
 */
export function spawnWithParentDeathSignal(
  binary: string,
  args: string[],
  stdio: ['ignore', 'ignore' | 'inherit', 'pipe' | 'inherit'] = ['ignore', 'ignore', 'pipe'],
): ChildProcess {
  const options = { stdio, detached: true };
  if (process.platform === 'linux' && existsSync('/usr/bin/setpriv')) {
    return spawn('/usr/bin/setpriv', ['--pdeathsig', 'SIGTERM', '--', binary, ...args], options);
  }
  return spawn(binary, args, options);
}

/**
 * A previous anvil that got SIGTERM from its parent's death may still be writing its state. A pid
 * file left by a crash may name, after a reboot, an unrelated process: that one is left alone.
 */
async function waitForPreviousInstance(pidPath: string, statePath: string): Promise<void> {
  if (!existsSync(pidPath)) return;
  const pid = Number((await readFile(pidPath, 'utf8')).trim());
  if (Number.isInteger(pid) && pid > 0 && runsOnState(pid, statePath)) {
    const deadline = Date.now() + 15_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      while (isAlive(pid)) await sleep(100);
    }
  }
  await rm(pidPath, { force: true });
}

async function keepLastGoodState(statePath: string): Promise<void> {
  const backupPath = `${statePath}.bak`;
  if (existsSync(statePath)) {
    try {
      JSON.parse(await readFile(statePath, 'utf8'));
      await copyFile(statePath, `${backupPath}.tmp`);
      await rename(`${backupPath}.tmp`, backupPath);
      return;
    } catch {
      if (!existsSync(backupPath))
        throw new LedgerUnavailableError(`The chain state ${statePath} is corrupt.`);
    }
  }
  if (existsSync(backupPath)) await copyFile(backupPath, statePath);
}

/** Whether `pid` is an anvil on `statePath` (where /proc tells; elsewhere assumed). */
function runsOnState(pid: number, statePath: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(statePath);
  } catch {
    return process.platform !== 'linux';
  }
}

/** Whether `pid` still runs; a zombie (exited, not yet reaped by an init that may never reap it) does not. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

async function waitForRpc(rpcUrl: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  return false;
}

/** A free TCP port on 127.0.0.1, as the kernel hands one out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
