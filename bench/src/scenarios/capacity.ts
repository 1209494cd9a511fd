/**
 * The capacity view: what the gateway and its chain sustain when the client's work is done
 * beforehand. Uploads are sealed and signed by `prepare.ts` on the worker threads and session
 * tokens taken before the clock starts; then the lean load generator replays them. A sample of the
 * records written so is read back and decrypted by the real client, outside the timed part.
 */
import { createGatewayClient } from '@medledger/client';
import { type Identity, validateResource } from '@medledger/core';
import { generateResource } from '@medledger/fixtures';
import type { Address, Hex } from 'viem';
import { type Actors, assignment } from '../actors.ts';
import type { LoadGenerator, PreparedRequest } from '../loadGenerator.ts';
import type { PreparedRecord, RecordContext } from '../prepare.ts';
import { type CpuSample, cpuPerOperation, sampleCpu } from '../procStats.ts';
import type { Phase } from '../stats.ts';
import { split, type WorkerPool } from '../workerPool.ts';
import { settle } from './e2e.ts';

/** Seals and signs the uploads of operations [from, from + count) on the workers (untimed). */
export async function prepareWrites(
  pool: WorkerPool,
  context: RecordContext,
  actors: Actors,
  from: number,
  count: number,
): Promise<PreparedRecord[]> {
  const patients = actors.patients.map((patient) => patient.address as Address);
  const parts = await pool.runEach(
    split(count, pool.size).map(([start, end]) => ({
      kind: 'prepare' as const,
      context,
      doctors: actors.doctors,
      patients,
      from: from + start,
      to: from + end,
    })),
  );
  return parts.flat();
}

/** A session token of each doctor at each gateway: tokens[gateway][doctor]. */
export async function sessionTokens(urls: string[], doctors: Identity[]): Promise<string[][]> {
  return Promise.all(
    urls.map((url) =>
      Promise.all(
        doctors.map(async (identity) => (await createGatewayClient({ url, identity }).signIn()).token),
      ),
    ),
  );
}

/** One POST /api/records per prepared record, with its author's session. */
export function writeOperations(
  url: string,
  tokens: string[],
  records: PreparedRecord[],
): PreparedRequest[][] {
  return records.map((record) => [
    {
      origin: url,
      method: 'POST',
      path: '/api/records',
      token: tokens[record.doctor] as string,
      body: record.body,
    },
  ]);
}

/**
 * One read per target: POST /api/records/ID/access at the doctor's gateway, then, for a threshold
 * read, at the second custodian's gateway (`urls[1]`), as the client's `readRecord` asks them.
 */
export function readOperations(
  urls: string[],
  tokens: string[][],
  targets: { recordId: Hex; doctor: number }[],
  gatewaysPerRead: number,
): PreparedRequest[][] {
  return targets.map((target) =>
    urls.slice(0, gatewaysPerRead).map((origin, gateway) => ({
      origin,
      method: 'POST' as const,
      path: `/api/records/${target.recordId.toLowerCase()}/access`,
      token: tokens[gateway]?.[target.doctor] as string,
      body: '{}',
    })),
  );
}

/** `count` GET /api/health: a request the gateway answers without any work of its own. */
export function healthOperations(url: string, count: number): PreparedRequest[][] {
  return Array.from({ length: count }, () => [
    { origin: url, method: 'GET' as const, path: '/api/health', token: 'none' },
  ]);
}

/** `count` read targets spread over `records`. */
export function readTargets<T>(records: T[], count: number): T[] {
  if (!records.length) throw new Error('nothing to read');
  return Array.from({ length: count }, (_, i) => records[(i * 7919) % records.length] as T);
}

/** Replays `operations`, and CPU per operation of the bench (load generator), gateway and chain. */
export async function measureReplay(
  load: LoadGenerator,
  name: string,
  operations: PreparedRequest[][],
  concurrency: number,
  pids?: { gateway: number; chain: number },
): Promise<{ phase: Phase; cpu?: CpuSample }> {
  const before = pids ? sampleCpu(pids) : undefined;
  const phase = await load.replay(name, operations, concurrency);
  if (!pids || !before) return { phase };
  await settle();
  return { phase, cpu: cpuPerOperation(before, sampleCpu(pids), phase.count) };
}

/**
 * Reads `sample` of the prepared records with the real client (fetch, digest check, decryption,
 * in the consortium with shares from two gateways) and checks the resource is the one sealed.
 */
export async function verifySample(url: string, actors: Actors, records: PreparedRecord[], sample = 5) {
  const picked = readTargets(records, Math.min(sample, records.length));
  for (const record of picked) {
    const client = createGatewayClient({ url, identity: actors.doctors[record.doctor] as Identity });
    const { resource } = await client.readRecord(record.recordId);
    const { category } = assignment(actors, record.index);
    const patient = (actors.patients[record.patient] as Identity).address.toLowerCase();
    const expected = validateResource(
      generateResource(category, { seed: record.index + 1, patientRef: `Patient/${patient}` }),
      category,
    );
    if (JSON.stringify(resource) !== JSON.stringify(expected)) {
      throw new Error(`record ${record.recordId} decrypted to something other than what was sealed`);
    }
  }
  return picked.length;
}
