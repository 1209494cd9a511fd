/**
 * A gateway in a process of its own (`test/helpers/gatewayProcess.ts`), with its embedded anvil, for
 * the security suite: its standard error (the logs) is kept, its peak memory read from
 * `/proc/PID/status`, and it is stopped with SIGTERM and awaited.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const gatewayScript = fileURLToPath(new URL('../../test/helpers/gatewayProcess.ts', import.meta.url));

/**
 * Configuration the gateway process gets besides its data directory, port and log level. Rate
 * limits and the connection cap per address are out of reach unless a test sets them
 * (`test/helpers/gatewayProcess.ts`): the fuzz and the matrix send thousands of requests from one
 * address to test inputs and authorisation (429 stays an accepted answer; the fuzz prints how many
 * it got). `edgeLimits.test.ts` tests the limits with their defaults.
 */
export const securitySuiteConfig: Record<string, unknown> = {};

export interface GatewayProcess {
  url: string;
  pid: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process wrote to standard error so far: its logs. */
  logs(): string;
  /** True while the process runs. */
  alive(): boolean;
  /** Peak resident memory of the gateway process (VmHWM), in KiB. */
  peakMemoryKiB(): Promise<number>;
  /** SIGTERM, and wait for the process to end; its exit code. Keeps the data directory. */
  stop(): Promise<number | null>;
  /** Stops, and removes the data directory. */
  stopAndRemove(): Promise<void>;
}

export interface StartOptions {
  /** Reuse this data directory (e.g. a restart at another log level); default a new one. */
  dataDir?: string;
  /** Unset: the gateway's default level. */
  logLevel?: string;
  /** More configuration (`GatewayConfigInput`), e.g. `{ rateLimits: {} }` for the default limits. */
  config?: Record<string, unknown>;
}

export async function startGatewayProcess(options: StartOptions = {}): Promise<GatewayProcess> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'medledger-security-')));
  const config = {
    ...securitySuiteConfig,
    ...options.config,
    dataDir,
    port: 0,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
  };
  // The gateway reads MEDLEDGER_* variables: the suite's gateway must not see a developer's.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('MEDLEDGER_')),
  );
  const child = spawn(process.execPath, [gatewayScript, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
      const line = stdout.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`the gateway process ended (${code}):\n${stderr}`)));
  });
  const pid = child.pid as number;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<number | null> => {
    if (!alive()) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return exited;
  };
  return {
    url,
    pid,
    dataDir,
    child,
    logs: () => stderr,
    alive,
    async peakMemoryKiB() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
      if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
      return Number(match[1]);
    },
    stop,
    async stopAndRemove() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
