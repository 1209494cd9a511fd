/**
 * The e2e view: clients as users have them (`createGatewayClient`, `addRecord`, `readRecord`), all
 * client crypto on worker threads, one per core, each running many clients at once. A write counts
 * once the gateway answers that its record is in a block; a read once the client has checked the
 * envelope against its anchored digest and decrypted it (in the consortium, with two custodians'
 * key shares from two gateways).
 */
import type { Address } from 'viem';
import type { Actors } from '../actors.ts';
import { options } from '../options.ts';
import { type CpuSample, cpuPerOperation, sampleCpu } from '../procStats.ts';
import { log, type Phase, phaseOf } from '../stats.ts';
import type { WrittenRecord } from '../worker.ts';
import { split, type WorkerPool } from '../workerPool.ts';

export interface E2eResult {
  write: Phase;
  read: Phase;
  written: WrittenRecord[];
  /** CPU microseconds per operation (client: this process, workers included), when pids are given. */
  cpu?: { write: CpuSample; read: CpuSample };
}

export async function runE2e(
  pool: WorkerPool,
  url: string,
  actors: Actors,
  options: { writes: number; reads: number; concurrency: number; label: string },
  pids?: { gateway: number; chain: number },
): Promise<E2eResult> {
  const patients = actors.patients.map((patient) => patient.address as Address);
  await pool.runEach(
    Array.from({ length: pool.size }, () => ({
      kind: 'init' as const,
      url,
      doctors: actors.doctors,
      patients,
    })),
  );
  const perWorker = Math.max(1, Math.ceil(options.concurrency / pool.size));
  const sample = () => (pids ? sampleCpu(pids) : undefined);

  const writeCpu = sample();
  let started = performance.now();
  const writeParts = await pool.runEach(
    split(options.writes, pool.size).map(([from, to]) => ({
      kind: 'write' as const,
      from,
      to,
      concurrency: perWorker,
    })),
  );
  const write = phaseOf(
    `${options.label} write`,
    writeParts.map((part) => part.timings),
    (performance.now() - started) / 1000,
  );
  const written = writeParts.flatMap((part) => part.written);
  await settle();
  const afterWrite = sample();
  if (!written.length) throw new Error(`${options.label}: nothing was written`);

  const targets = Array.from(
    { length: options.reads },
    (_, i) => written[(i * 7919) % written.length] as WrittenRecord,
  );
  const readCpu = sample();
  started = performance.now();
  const readParts = await pool.runEach(
    split(options.reads, pool.size).map(([from, to]) => ({
      kind: 'read' as const,
      targets: targets.slice(from, to),
      concurrency: perWorker,
    })),
  );
  const read = phaseOf(`${options.label} read`, readParts, (performance.now() - started) / 1000);
  await settle();
  const afterRead = sample();
  log(
    `${options.label}: ${write.count} writes at ${write.perSec}/s, ${read.count} reads at ${read.perSec}/s`,
  );
  return {
    write,
    read,
    written,
    ...(writeCpu && afterWrite && readCpu && afterRead
      ? {
          cpu: {
            write: cpuPerOperation(writeCpu, afterWrite, write.count),
            read: cpuPerOperation(readCpu, afterRead, read.count),
          },
        }
      : {}),
  };
}

/**
 * Waits for work a phase leaves behind (audit events anchored about every second, the indexer),
 * so that CPU measured around a phase includes it.
 */
export function settle(ms = options.quick ? 1_000 : 2_000): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
