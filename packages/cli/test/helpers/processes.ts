/**
 * Real processes for the CLI tests: the `medledger` command run as a child process, and a gateway
 * (`medledger start`) on a temporary data directory and a free port, stopped by a signal like a
 * person (Ctrl-C) or a crash (SIGKILL) would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@medledger/ledger-node';
import { unreachableRateLimits } from '@medledger/server';

export const medledgerBin = fileURLToPath(new URL('../../bin/medledger.js', import.meta.url));

/**
 * The environment of the children: without the variables that would override the flags the tests
 * give, and with a shared compile cache, since loading the modules is most of a CLI run's time.
 */
function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    NODE_COMPILE_CACHE: join(tmpdir(), 'medledger-cli-test-compile-cache'),
    ...process.env,
  };
  for (const name of Object.keys(env)) {
    if (name.startsWith('MEDLEDGER_') || name === 'PORT') delete env[name];
  }
  // No profile of the machine's user: a test that wants one names its own config file.
  env.MEDLEDGER_CONFIG = join(tmpdir(), 'medledger-cli-test-no-profiles', 'config.json');
  // The tests call from one address far faster than people: the gateways' limits out of reach
  // (the security suite tests the defaults).
  env.MEDLEDGER_RATE_LIMITS = unreachableRateLimits;
  env.MEDLEDGER_MAX_CONNECTIONS_PER_ADDRESS = '0';
  return env;
}

export interface CliResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `medledger ...args` (with Node 24: the runner's own executable) and collects what it printed. */
export function runMedledger(
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [medledgerBin, ...args], {
      env: { ...childEnvironment(), ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ args, code, signal, stdout, stderr }));
  });
}

/** `medledger --server URL ...` for one gateway; `json` also checks the exit code 0 and parses stdout. */
export function cliFor(server: string) {
  const run = (...args: string[]) => runMedledger(['--server', server, ...args]);
  return {
    run,
    async json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
      const result = await run('--json', ...args);
      return parseJsonOutput<T>(result);
    },
  };
}

export type Cli = ReturnType<typeof cliFor>;

export function parseJsonOutput<T>(result: CliResult): T {
  if (result.code !== 0) {
    throw new Error(
      `medledger ${result.args.join(' ')} exited ${result.code ?? result.signal}\n${result.stderr}${result.stdout}`,
    );
  }
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`medledger ${result.args.join(' ')} printed no JSON:\n${result.stdout}`);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GatewayProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  pid: number;
  /** The embedded anvil's pid, from the gateway's pid file (undefined on --rpc). */
  anvilPid: number | undefined;
  exited: Promise<Exit>;
  output(): { stdout: string; stderr: string };
  /** Sends `signal` and waits until the gateway and its embedded anvil have exited. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

const running = new Set<GatewayProcess>();
const directories: string[] = [];

/** A temporary directory removed by `cleanUp`. */
export async function temporaryDirectory(prefix: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), `medledger-cli-test-${prefix}-`));
  directories.push(directory);
  return directory;
}

/**
 * Spawns `medledger start --data DIR --port P` (plus `--rpc` and other flags) and resolves once
 * `/api/health` answers 200; rejects with what the gateway printed if it exits first. On Linux the
 * gateway gets SIGTERM should the test process die, like the gateway's own anvil.
 */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const gateway = await spawnGatewayProcess(options);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let healthy = false;
  while (!healthy) {
    if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) {
      running.delete(gateway);
      const { stdout, stderr } = gateway.output();
      throw new Error(
        `medledger start exited ${gateway.child.exitCode ?? gateway.child.signalCode}:\n${stderr}${stdout}`,
      );
    }
    if (Date.now() > deadline) {
      await gateway.stop('SIGKILL');
      const { stdout, stderr } = gateway.output();
      throw new Error(`medledger start did not answer /api/health at ${gateway.url}:\n${stderr}${stdout}`);
    }
    healthy = await fetch(`${gateway.url}/api/health`)
      .then((response) => response.ok)
      .catch(() => false);
    if (!healthy) await sleep(100);
  }
  if (!options.rpcUrl) gateway.anvilPid = embeddedAnvilPid(options.dataDir);
  return gateway;
}

export interface GatewayProcessOptions {
  dataDir: string;
  rpcUrl?: string;
  args?: string[];
  timeoutMs?: number;
  /** A fixed port (to restart a gateway where its URL is published); a free one by default. */
  port?: number;
}

/**
 * Spawns `medledger start` as `startGatewayProcess` does, without waiting for anything: for tests
 * that watch what a gateway answers from the moment its port opens.
 */
export async function spawnGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const port = options.port ?? (await freePort());
  const args = [
    medledgerBin,
    'start',
    '--data',
    options.dataDir,
    '--port',
    String(port),
    '--log-level',
    'warn',
    ...(options.rpcUrl ? ['--rpc', options.rpcUrl] : []),
    ...(options.args ?? []),
  ];
  const withParentDeathSignal = process.platform === 'linux' && existsSync('/usr/bin/setpriv');
  const child = spawn(
    withParentDeathSignal ? '/usr/bin/setpriv' : process.execPath,
    withParentDeathSignal ? ['--pdeathsig', 'SIGTERM', '--', process.execPath, ...args] : args,
    { env: childEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const gateway: GatewayProcess = {
    url: `http://127.0.0.1:${port}`,
    dataDir: options.dataDir,
    child,
    pid: child.pid ?? 0,
    anvilPid: undefined,
    exited,
    output: () => ({ stdout, stderr }),
    async stop(signal = 'SIGINT') {
      // A gateway may have restarted its anvil since it started: the one it runs now is in the pid file.
      const anvils = new Set([gateway.anvilPid, options.rpcUrl ? undefined : anvilChildOf(gateway)]);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const exit = await exited;
      running.delete(gateway);
      for (const anvil of anvils) {
        if (anvil && !(await waitForProcessExit(anvil, 30_000))) {
          process.kill(anvil, 'SIGKILL');
          throw new Error(`anvil ${anvil} outlived its gateway by 30 s`);
        }
      }
      return exit;
    },
  };
  running.add(gateway);
  return gateway;
}

/** The embedded anvil `gateway` runs now: the one in the pid file if it is the gateway's child. */
export function anvilChildOf(gateway: GatewayProcess): number | undefined {
  const anvil = embeddedAnvilPid(gateway.dataDir);
  return anvil !== undefined && parentPidOf(anvil) === gateway.pid ? anvil : undefined;
}

/** The parent of `pid` (Linux /proc); undefined elsewhere or once it has exited. */
function parentPidOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The pid in the embedded chain's pid file under `dataDir`, if there is one. */
export function embeddedAnvilPid(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'chain', 'anvil.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Stops every gateway still running (SIGTERM, so that each stops its own anvil; SIGKILL after 20 s)
 * and removes the temporary directories.
 */
export async function cleanUp(): Promise<void> {
  for (const gateway of [...running]) {
    const timer = setTimeout(() => gateway.child.kill('SIGKILL'), 20_000);
    await gateway.stop('SIGTERM').catch(() => undefined);
    clearTimeout(timer);
  }
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
}

/** Whether `pid` is a live process (a zombie waiting to be reaped has exited). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux';
  }
}

export async function waitForProcessExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
