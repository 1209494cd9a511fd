/**
 * The embedded chain: a real anvil node (from the `@foundry-rs/anvil` registry package) whose state
 * is persisted in the data directory.
 *
 * Reachable by the gateway alone: anvil serves every method (evm_revert, anvil_setStorageAt,
 * eth_sendTransaction from its unlocked accounts...) to whoever reaches it, and cannot turn its HTTP
 * server off. So it runs in a network namespace of its own (`unshare --net`, or `unshare --user
 * --map-root-user --net` where only unprivileged user namespaces are allowed), where its HTTP port
 * is out of everyone's reach, and the gateway talks to it over its IPC socket `chain/anvil.ipc`, in
 * a directory only the data directory's owner can enter. Where neither namespace can be made, it
 * falls back to HTTP on 127.0.0.1 without CORS headers and says so (`isolated: false`).
 *
 * Durability: anvil loads `chain/state.json` but never writes it itself: its own dumps (periodic, and
 * on exit) run while it may be mining and were seen to hold a block's effects without the block. The
 * gateway calls `saveState` instead, which keeps a dump only if no block was mined during it, and
 * writes it atomically. What the chain mined after the last saved state is re-applied by the
 * gateway's relay journal. anvil is started under `setpriv --pdeathsig SIGTERM`, so it never outlives
 * its gateway. Before each start the last state file that parses is kept as `state.json.bak`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, copyFile, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { InvalidInputError, LedgerUnavailableError } from '@medledger/core';
import type { JsonRpcOutcome } from '@medledger/ledger';
import { freePort } from './freePort.ts';
import { sendRpcCalls } from './rpcEndpoint.ts';

export interface EmbeddedChainOptions {
  /** Directory holding `state.json`, the socket and the pid file. Created when missing; made 0700. */
  directory: string;
  chainId?: number;
  /** Seconds between blocks; when unset every transaction is mined at once (automine). */
  blockTimeSeconds?: number;
}

export interface EmbeddedChain {
  /** `ipc://` and the path of anvil's socket, `DIRECTORY/anvil.ipc`. */
  rpcUrl: string;
  chainId: number;
  pid: number;
  /** Resolves when anvil has exited, for whatever reason (a supervisor starts it again). */
  exited: Promise<void>;
  /**
   * Whether anvil runs in a network namespace of its own, reachable only through its socket. When
   * false its HTTP port is also open on 127.0.0.1 (without CORS headers) to every local user.
   */
  isolated: boolean;
  /**
   * Writes the chain's state to `state.json` if it is consistent: the latest block is the same
   * before and after the dump (no block mined meanwhile). Atomic (temporary file, fsync, rename).
   */
  saveState(): Promise<SavedState>;
  /** Stops anvil with SIGTERM and waits until it has written its state. */
  stop(): Promise<void>;
}

/** Anvil's gas limit per block here: one anchoring transaction may carry a few hundred records. */
const blockGasLimit = 2_000_000_000n;

/**
 * Arguments every anvil started here gets, so that it keeps its past states in memory only (the
 * latest 500, enough for every read at a recent block) and never on disk. Left to itself, anvil
 * writes each older state as a JSON file under `~/.foundry/anvil/tmp` (up to 3,600 per run, a few
 * GB for a long one) and leaves them there whenever it is killed rather than stopped.
 */
export const anvilMemoryOnlyHistory: readonly string[] = ['--max-persisted-states', '0'];

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
  const { directory, chainId = 31337 } = options;
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(directory, 0o700);
  const statePath = join(directory, 'state.json');
  const pidPath = join(directory, 'anvil.pid');
  const socketPath = join(directory, 'anvil.ipc');
  if (Buffer.byteLength(socketPath) > maxSocketPathBytes) {
    throw new InvalidInputError(
      `The chain's socket path ${socketPath} is longer than ${maxSocketPathBytes} bytes; use a shorter data directory.`,
    );
  }
  await waitForPreviousInstance(pidPath, statePath);
  await keepLastGoodState(statePath);
  await rm(socketPath, { force: true });

  const anvilPath = anvilBinaryPath();
  const isolation = await networkIsolation(anvilPath);
  // In its own network namespace nothing can reach the HTTP port, whichever it is.
  const port = isolation ? 8545 : await freePort();
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--no-cors',
    '--ipc',
    socketPath,
    '--chain-id',
    String(chainId),
    // Loaded, never dumped by anvil itself: its own dumps (periodic and on exit) are taken while it
    // may be mining and can hold a block's state without the block. `saveState` dumps consistently.
    ...(existsSync(statePath) ? ['--load-state', statePath] : []),
    '--gas-limit',
    String(blockGasLimit),
    '--code-size-limit',
    '100000',
    ...anvilMemoryOnlyHistory,
    '--silent',
  ];
  if (options.blockTimeSeconds) args.push('--block-time', String(options.blockTimeSeconds));

  // anvil creates its state files and socket with the umask it inherits: private to this user.
  const umask = process.umask(0o077);
  let anvil: ChildProcess;
  try {
    anvil = isolation
      ? spawnWithParentDeathSignal(unsharePath, [...isolation, '--', anvilPath, ...args])
      : spawnWithParentDeathSignal(anvilPath, args);
  } finally {
    process.umask(umask);
  }
  let stderr = '';
  anvil.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => anvil.once('exit', (code) => resolve(code)));
  const rpcUrl = `ipc://${socketPath}`;
  const ready = await Promise.race([waitForRpc(rpcUrl, startTimeoutMs(statePath)), exited.then(() => false)]);
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
    isolated: isolation !== undefined,
    saveState: () => saveConsistentState(rpcUrl, statePath),
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
 * How long anvil may take to answer after it starts: 30 s, and more for a large saved state, which
 * it parses whole before it answers (measured here: 15 s for a state of 328 MB, about 50,000
 * records), at 5 MB a second.
 */
function startTimeoutMs(statePath: string): number {
  const bytes = existsSync(statePath) ? statSync(statePath).size : 0;
  return Math.max(30_000, Math.ceil(bytes / 5_000_000) * 1_000);
}

export interface SavedState {
  /** False when a block was mined during the dump: nothing was written, try again. */
  saved: boolean;
  /** The latest block the saved state holds. */
  blockNumber: number;
  bytes: number;
  durationMs: number;
}

async function saveConsistentState(rpcUrl: string, statePath: string): Promise<SavedState> {
  const started = Date.now();
  const latest = async () => {
    const [outcome] = await sendRpcCalls(rpcUrl, [
      { method: 'eth_getBlockByNumber', params: ['latest', false] },
    ]);
    const block = rpcResult(outcome, 'eth_getBlockByNumber') as { hash: string; number: string };
    return { hash: block.hash, number: Number(block.number) };
  };
  const before = await latest();
  const [dumped] = await sendRpcCalls(rpcUrl, [{ method: 'anvil_dumpState', params: [] }]);
  const after = await latest();
  const hex = rpcResult(dumped, 'anvil_dumpState') as string;
  if (before.hash !== after.hash) {
    return { saved: false, blockNumber: before.number, bytes: 0, durationMs: Date.now() - started };
  }
  // anvil_dumpState answers the gzip of the JSON that --load-state reads.
  const json = await promisify(gunzip)(Buffer.from(hex.slice(2), 'hex'));
  const temporary = `${statePath}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(json);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, statePath);
  const directory = await open(join(statePath, '..'), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
  return { saved: true, blockNumber: after.number, bytes: json.length, durationMs: Date.now() - started };
}

function rpcResult(outcome: JsonRpcOutcome | undefined, method: string): unknown {
  if (!outcome || 'error' in outcome) {
    throw new LedgerUnavailableError(`The embedded chain did not answer ${method}.`, {
      details: outcome && 'error' in outcome ? outcome.error.message : 'no answer',
    });
  }
  return outcome.result;
}

/** Linux's limit on a Unix socket's path (108 bytes with the terminating zero). */
const maxSocketPathBytes = 107;
const unsharePath = '/usr/bin/unshare';

/** `unshare` flags for a private network namespace: as root, else in a user namespace of our own. */
const isolationFlags = [['--net'], ['--user', '--map-root-user', '--net']];
let isolationFound: Promise<string[] | undefined> | undefined;

/**
 * The `unshare` flags that work on this machine (tried once per process, by running `anvil
 * --version` under them), or undefined when none does: no unshare, or namespaces not allowed.
 */
function networkIsolation(anvilPath: string): Promise<string[] | undefined> {
  isolationFound ??= (async () => {
    if (process.platform !== 'linux' || !existsSync(unsharePath)) return undefined;
    for (const flags of isolationFlags) {
      if (await exitsCleanly(unsharePath, [...flags, '--', anvilPath, '--version'])) return flags;
    }
    return undefined;
  })();
  return isolationFound;
}

function exitsCleanly(binary: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: 10_000 }, (error) => resolve(!error));
  });
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
  // Files written before the chain directory was made private (0644) become private too.
  for (const path of [statePath, backupPath]) if (existsSync(path)) await chmod(path, 0o600);
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
    const answered = await sendRpcCalls(rpcUrl, [{ method: 'eth_chainId' }]).then(
      ([outcome]) => outcome !== undefined && 'result' in outcome,
      () => false, // not listening yet
    );
    if (answered) return true;
    await sleep(50);
  }
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
