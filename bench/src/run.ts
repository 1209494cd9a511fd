/**
 * `npm run bench`: acknowledged record writes and authorised reads through the HTTP API of a
 * fresh embedded node, with all crypto on the client side as in real use.
 *
 * The gateway (with its anvil) runs as its own process (`medledger-gateway`, which `medledger start`
 * runs too); the clients run in this process. Each write encrypts a generated FHIR resource, seals
 * its data key to the patient and the custodian, signs the record leaf, and counts once the gateway
 * answers that the record is anchored in a block. Each read asks the gateway for the record, which
 * checks consent on chain, audits, and re-seals the data key; the client then decrypts and parses
 * the resource.
 *
 * Options (environment): BENCH_WRITES (default 3000), BENCH_READS (default 6000),
 * BENCH_SCENARIOS (default single,threshold), BENCH_CONCURRENCY (default 64), BENCH_ACTORS (doctors and patients, default 8); BENCH_PROFILE_DIR
 * writes a V8 CPU profile of the gateway process there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { type Category, generateIdentity, parseKeyFile } from '@medledger/core';
import { generateResource } from '@medledger/fixtures';
import { createChainReader } from '@medledger/ledger';
import { freePort } from '@medledger/ledger-node';
import type { Address, Hex } from 'viem';

const writes = Number(process.env.BENCH_WRITES ?? 3000);
const reads = Number(process.env.BENCH_READS ?? 6000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64);
const actors = Number(process.env.BENCH_ACTORS ?? 8);
/** `single` always; `threshold` (3 gateway processes, 2-of-3 custody) unless BENCH_SCENARIOS=single. */
const scenarios = (process.env.BENCH_SCENARIOS ?? 'single,threshold').split(',');
const categoriesUsed: Category[] = ['lab', 'vitals', 'condition', 'medication'];

interface Phase {
  count: number;
  failed: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
}

async function main(): Promise<void> {
  const single = await singleGatewayScenario();
  const threshold = scenarios.includes('threshold') ? await thresholdScenario() : undefined;
  const machine = {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  const results = {
    write: pick(single.write),
    read: pick(single.read),
    ...(threshold
      ? {
          threshold: {
            write: pick(threshold.write),
            read: pick(threshold.read),
            auditAnchoring: threshold.auditAnchoring,
            setup: '3 gateway processes (medledger-gateway --demo-consortium), keys split 2 of 3',
          },
        }
      : {}),
    machine,
    setup: { concurrency, actors, categories: categoriesUsed, chain: 'embedded anvil, automine' },
    measuredAt: new Date().toISOString(),
  };
  const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  printTable({
    write: single.write,
    read: single.read,
    ...(threshold ? { 'threshold write': threshold.write, 'threshold read': threshold.read } : {}),
  });
  if (threshold) {
    const { events, perSec } = threshold.auditAnchoring;
    log(
      `audit anchoring (3 gateways): ${events} events anchored, ${perSec} events/s from the first request to the last anchor`,
    );
  }
  log(`machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
  log('results written to bench/results/latest.json');
  const phases = [single.write, single.read, threshold?.write, threshold?.read];
  if (phases.some((phase) => phase?.failed)) process.exitCode = 1;
}

/** One gateway, records sealed to the patient and its organisation (k = n = 1). */
async function singleGatewayScenario(): Promise<{ write: Phase; read: Phase }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'medledger-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const gateway = startGatewayProcess(['--data', dataDir, '--port', String(port)]);
  try {
    await waitForHealth(url, gateway);
    const admin = createGatewayClient({ url, identity: generateIdentity() });
    const { organisationId } = await admin.createOrganisation({ name: 'Bench Hospital', kind: 'hospital' });
    return await writeAndRead(url, admin, organisationId);
  } finally {
    await stopProcess(gateway);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Three hospitals' gateways as separate processes, keys split 2 of 3: each read gathers two
 * custodians' shares from two gateways, and every gateway anchors its audit events on chain.
 */
async function thresholdScenario() {
  const dataDir = await mkdtemp(join(tmpdir(), 'medledger-bench-consortium-'));
  // The demo consortium's three gateways listen on port, port + 1 and port + 2.
  const port = await freePort(3);
  const url = `http://127.0.0.1:${port}`;
  const consortium = startGatewayProcess(['--demo-consortium', '--data', dataDir, '--port', String(port)]);
  try {
    await waitForHealth(`http://127.0.0.1:${port + 2}`, consortium, 120_000);
    for (;;) {
      const info = (await fetch(`${url}/api/ledger`).then((r) => r.json())) as {
        custody: { version: number };
      };
      if (info.custody.version > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const keyFile = await readFile(join(dataDir, 'demo-keys', 'admin-1.json'), 'utf8');
    const admin = createGatewayClient({ url, identity: parseKeyFile(keyFile) });
    const info = await admin.ledger();
    const chain = createChainReader({ rpcUrl: info.rpcUrl, contracts: info.contracts });
    const anchoredSoFar = async () => {
      let total = 0n;
      for (const organisationId of [1, 2, 3]) {
        total += await chain.read('auditAnchors', 'nextSequence', [organisationId]);
      }
      return Number(total);
    };
    const before = await anchoredSoFar();
    const started = performance.now();
    const phases = await writeAndRead(url, admin, 1);
    // Anchoring runs behind the requests: wait until every gateway's outbox is drained.
    let anchored = await anchoredSoFar();
    let settledAt = performance.now();
    while (performance.now() - settledAt < 3_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = await anchoredSoFar();
      if (now !== anchored) {
        anchored = now;
        settledAt = performance.now();
      }
    }
    const events = anchored - before;
    const seconds = (settledAt - started) / 1000;
    return {
      ...phases,
      auditAnchoring: { events, perSec: round(events / seconds), seconds: round(seconds) },
    };
  } finally {
    await stopProcess(consortium);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Sets up doctors, patients and consents through `admin`'s organisation, then writes and reads. */
async function writeAndRead(url: string, admin: GatewayClient, organisationId: number) {
  const { doctors, patients } = await setUp(url, admin, organisationId);
  log(
    `set up: ${doctors.length} doctors, ${patients.length} patients, ${doctors.length * patients.length} consents`,
  );
  const written: { recordId: Hex; doctor: number }[] = [];
  const write = await runPhase('write', writes, async (i) => {
    const doctor = i % doctors.length;
    const patient = patients[Math.floor(i / doctors.length) % patients.length] as Address;
    const category = categoriesUsed[i % categoriesUsed.length] as Category;
    const resource = generateResource(category, { seed: i + 1, patientRef: `Patient/${patient}` });
    const result = await (doctors[doctor] as GatewayClient).addRecord({ patient, category, resource });
    written.push({ recordId: result.recordId, doctor });
  });
  const read = await runPhase('read', reads, async (i) => {
    const target = written[(i * 7919) % written.length];
    if (!target) throw new Error('nothing was written');
    await (doctors[target.doctor] as GatewayClient).readRecord(target.recordId);
  });
  return { write, read };
}

async function setUp(
  url: string,
  admin: GatewayClient,
  organisationId: number,
): Promise<{ doctors: GatewayClient[]; patients: Address[] }> {
  const doctors = Array.from({ length: actors }, () =>
    createGatewayClient({ url, identity: generateIdentity() }),
  );
  const patients = Array.from({ length: actors }, () =>
    createGatewayClient({ url, identity: generateIdentity() }),
  );
  for (const doctor of doctors) {
    await admin.addMember({
      organisationId,
      member: doctor.address,
      role: 'doctor',
      encryptionKey: doctor.identity.encryption.publicKey,
    });
  }
  for (const patient of patients) {
    await patient.registerPatient({ organisationId });
    for (const doctor of doctors) {
      await patient.grantConsent({
        grantee: doctor.address,
        categories: categoriesUsed,
        actions: ['read', 'append'],
        expiresInSeconds: 24 * 3600,
      });
    }
  }
  await Promise.all(doctors.map((doctor) => doctor.signIn()));
  return { doctors, patients: patients.map((patient) => patient.address) };
}

/** Runs `count` operations with `concurrency` under way at once; latency per operation. */
async function runPhase(
  name: string,
  count: number,
  operation: (index: number) => Promise<void>,
): Promise<Phase> {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  let firstError: unknown;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        const begin = performance.now();
        try {
          await operation(index);
          latencies.push(performance.now() - begin);
        } catch (error) {
          failed += 1;
          firstError ??= error;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (firstError)
    log(`${name}: ${failed} failed; first error: ${String((firstError as Error).message ?? firstError)}`);
  latencies.sort((a, b) => a - b);
  return {
    count: latencies.length,
    failed,
    perSec: round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    seconds: round(seconds),
  };
}

function pick({ count, perSec, p50Ms, p99Ms }: Phase) {
  return { count, perSec, p50Ms, p99Ms };
}

function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function printTable(phases: Record<string, Phase>): void {
  const rows = Object.entries(phases).map(([name, p]) => [
    name,
    String(p.count),
    String(p.failed),
    p.perSec.toFixed(1),
    p.p50Ms.toFixed(1),
    p.p99Ms.toFixed(1),
    p.seconds.toFixed(1),
  ]);
  const header = ['phase', 'count', 'failed', 'per sec', 'p50 ms', 'p99 ms', 'seconds'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

function startGatewayProcess(args: string[]): ChildProcess {
  const bin = fileURLToPath(new URL('../../packages/gateway/bin/medledger-gateway.ts', import.meta.url));
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR]
    : [];
  const child = spawn(process.execPath, [...profile, bin, ...args, '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
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
  throw new Error('the gateway did not become healthy within 60 s');
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function log(message: string): void {
  console.log(message);
}

await main();
