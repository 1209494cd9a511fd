/**
 * The processes under test: a gateway (`medledger-gateway`, with its embedded anvil), the demo
 * consortium (three gateways and one anvil) or a group of gateway processes of one organisation on
 * PostgreSQL, each started as users start them, in a fresh data directory removed afterwards. BENCH_PROFILE_DIR starts gateway processes with --cpu-prof there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { generateIdentity, parseKeyFile } from '@medledger/core';
import {
  anvilBinaryPath,
  anvilMemoryOnlyHistory,
  freePort,
  sendRpcCalls,
  spawnWithParentDeathSignal,
} from '@medledger/ledger-node';
import { unreachableRateLimits } from '@medledger/server';
// The server's throwaway PostgreSQL for tests (Debian's binaries, a temporary directory): the same
// server serves the bench's process-group view.
import { startTestPostgres } from '../../packages/server/test/helpers/postgres.ts';

export interface Gateway {
  url: string;
  /** The gateway's Node process. */
  pid: number;
  /** Its embedded anvil. */
  chainPid: number;
  /** anvil's IPC socket, as `ipc://PATH`, or its HTTP URL (the bench's own way to the chain: receipts, seeding). */
  rpcUrl: string;
  /** Its data directory (chain state, gateway.sqlite), removed by `stop`. */
  dataDir: string;
  /** An admin of a fresh hospital organisation on this gateway. */
  admin: GatewayClient;
  organisationId: number;
  stop(): Promise<void>;
}

/**
 * One gateway, with one hospital whose admin the bench holds: on its embedded chain, or with
 * `externalChain` on an anvil the bench starts (HTTP on 127.0.0.1, `--rpc … --allow-admin-rpc`),
 * where the gateway takes no snapshots of the chain (see growth.ts for why).
 */
export async function startGateway(options: { externalChain?: boolean } = {}): Promise<Gateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mlb-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const chain = options.externalChain ? await startAnvil() : undefined;
  const child = startGatewayProcess([
    '--data',
    dataDir,
    '--port',
    String(port),
    '--no-web-app',
    ...(chain ? ['--rpc', chain.rpcUrl, '--allow-admin-rpc'] : []),
  ]);
  const stop = async () => {
    await stopProcess(child);
    if (chain) await stopProcess(chain.child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(url, child);
    const chainPid = chain
      ? (chain.child.pid ?? 0)
      : Number(await readFile(join(dataDir, 'chain', 'anvil.pid'), 'utf8'));
    const { admin, organisationId } = await foundBenchHospital(url);
    return {
      url,
      pid: child.pid ?? 0,
      chainPid,
      rpcUrl: chain?.rpcUrl ?? `ipc://${join(dataDir, 'chain', 'anvil.ipc')}`,
      dataDir,
      admin,
      organisationId,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface Consortium {
  /** The three hospitals' gateways (organisations 1, 2, 3), keys split 2 of 3. */
  urls: string[];
  /** The admin of organisation 1, whose gateway is `urls[0]`. */
  admin: GatewayClient;
  organisationId: number;
  stop(): Promise<void>;
}

/** `medledger-gateway --demo-consortium`: three gateway processes on one anvil, custody 2 of 3. */
export async function startConsortium(): Promise<Consortium> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mlb-c-'));
  // The demo consortium's three gateways listen on port, port + 1 and port + 2.
  const port = await freePort(3);
  const urls = [0, 1, 2].map((i) => `http://127.0.0.1:${port + i}`);
  const child = startGatewayProcess(['--demo-consortium', '--data', dataDir, '--port', String(port)]);
  const stop = async () => {
    await stopProcess(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    for (const url of urls) await waitForHealth(url, child, 120_000);
    for (;;) {
      const info = (await fetch(`${urls[0]}/api/ledger`).then((r) => r.json())) as {
        custody: { version: number };
      };
      if (info.custody.version > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const keyFile = await readFile(join(dataDir, 'demo-keys', 'admin-1.json'), 'utf8');
    const admin = createGatewayClient({ url: urls[0] as string, identity: parseKeyFile(keyFile) });
    return { urls, admin, organisationId: 1, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface GatewayGroup {
  /** The processes' own addresses: the load generator hands requests to them in turn. */
  urls: string[];
  /** Their Node processes. */
  pids: number[];
  /** The anvil they share. */
  chainPid: number;
  /** The PostgreSQL server's postmaster (its backends are its children). */
  storePid: number;
  admin: GatewayClient;
  organisationId: number;
  stop(): Promise<void>;
}

/**
 * `count` gateway processes of one organisation on one PostgreSQL store and one anvil (HTTP), as
 * README's "An organisation that outgrows one process" runs them: the first deploys the contracts
 * and makes the keys, the others join; all publish the first one's URL (a balancer's, in production).
 */
export async function startGatewayGroup(count: number): Promise<GatewayGroup> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mlb-g-'));
  const [postgres, chain] = await Promise.all([startTestPostgres(), startAnvil()]);
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopProcess));
    await stopProcess(chain.child);
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const store = await postgres.createDatabase();
    const port = await freePort(count);
    const urls = Array.from({ length: count }, (_, i) => `http://127.0.0.1:${port + i}`);
    const start = (i: number) => {
      const child = startGatewayProcess([
        ...['--store', store, '--rpc', chain.rpcUrl, '--allow-admin-rpc', '--data', dataDir],
        ...['--public-url', urls[0] as string, '--port', String(port + i), '--no-web-app'],
      ]);
      children.push(child);
      return waitForHealth(urls[i] as string, child, 120_000);
    };
    await start(0);
    await Promise.all(urls.slice(1).map((_, i) => start(i + 1)));
    const { admin, organisationId } = await foundBenchHospital(urls[0] as string);
    return {
      urls,
      pids: children.map((child) => child.pid ?? 0),
      chainPid: chain.child.pid ?? 0,
      storePid: postgres.pid,
      admin,
      organisationId,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A fresh hospital founded at the gateway at `url`, and its admin, whom the bench holds. */
async function foundBenchHospital(url: string): Promise<{ admin: GatewayClient; organisationId: number }> {
  const admin = createGatewayClient({ url, identity: generateIdentity() });
  const { organisationId } = await admin.createOrganisation({ name: 'Bench Hospital', kind: 'hospital' });
  return { admin, organisationId };
}

/** anvil on a free local port, with the embedded chain's block gas and code size limits. */
async function startAnvil(): Promise<{ rpcUrl: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawnWithParentDeathSignal(anvilBinaryPath(), [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--gas-limit',
    '2000000000',
    '--code-size-limit',
    '100000',
    ...anvilMemoryOnlyHistory,
    '--silent',
  ]);
  track(child);
  const rpcUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answered = await sendRpcCalls(rpcUrl, [{ method: 'eth_chainId' }]).then(
      () => true,
      () => false,
    );
    if (answered) return { rpcUrl, child };
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error('anvil did not start');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Processes the bench started and has not stopped yet: stopped if the bench is interrupted. */
const running = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGTERM');
    process.exit(130);
  });
}

function startGatewayProcess(args: string[]): ChildProcess {
  const bin = fileURLToPath(new URL('../../packages/gateway/bin/medledger-gateway.ts', import.meta.url));
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR]
    : [];
  return track(
    spawn(process.execPath, [...profile, bin, ...args, '--log-level', 'warn'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      // One load generator on one address stands for many clients: per-address rate and
      // connection limits out of reach (their cost per request is still paid).
      env: {
        ...process.env,
        MEDLEDGER_RATE_LIMITS: unreachableRateLimits,
        MEDLEDGER_MAX_CONNECTIONS_PER_ADDRESS: '0',
      },
    }),
  );
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the gateway at ${url} did not become healthy within ${timeoutMs / 1000} s`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
