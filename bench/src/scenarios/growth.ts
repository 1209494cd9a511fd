/**
 * The growth view (BENCH_GROWTH=1, opt-in; BENCH_GROWTH_RECORDS, default 1,000,000): the capacity
 * figures again once the chain and the gateway's index hold many records, and the resident memory
 * of the gateway and of anvil.
 *
 * Seeding takes a fast path, honestly a different one: each seeded record is a real leaf (random id
 * and content digest) signed by one of the bench's doctors, anchored by `Records.anchorRecords` in
 * batches of 300 sent straight to the gateway's chain (the contract checks every signature and
 * grant as for any record), and picked up by the gateway's indexer like records anchored by any
 * other gateway. Seeded records have no envelope, so the gateway stores no ciphertext for them and
 * reads target records written through the API after seeding; the chain's state and the gateway's
 * record index are those of a gateway holding this many records.
 *
 * This gateway runs on an anvil of the bench's (`--rpc`), not on its embedded chain: the embedded
 * chain's snapshots dump anvil's whole state (`anvil_dumpState`), and as the chain grew that dump
 * outlasted the gateway's 15 s request timeout (at about 20,000 seeded records on a busy 2-core
 * machine), after which the gateway's other chain requests timed out behind it and its indexer
 * stalled. RSS is anvil's either way.
 */
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createGatewayClient } from '@medledger/client';
import type { Identity } from '@medledger/core';
import type { Address } from 'viem';
import { setUpActors } from '../actors.ts';
import { anchorDirectly, developmentAccounts, gasUsedBy } from '../chain.ts';
import type { LoadGenerator } from '../loadGenerator.ts';
import { options } from '../options.ts';
import { recordContext } from '../prepare.ts';
import { type Gateway, startGateway } from '../processes.ts';
import { rssMiBOf } from '../procStats.ts';
import { log, type Phase } from '../stats.ts';
import { split, type WorkerPool } from '../workerPool.ts';
import {
  measureReplay,
  prepareWrites,
  readOperations,
  readTargets,
  sessionTokens,
  verifySample,
  writeOperations,
} from './capacity.ts';

export interface GrowthResult {
  records: number;
  write: Phase;
  read: Phase;
  gatewayRssMiB: number | null;
  chainRssMiB: number | null;
}

/**
 * anvil's resident memory per seeded record, measured (2,960 MiB at 100,000 records): it keeps every
 * block, receipt and call trace, and a state per block, in memory.
 */
const chainBytesPerRecord = 30_000;

/** Records per seeding transaction (about 21M gas; anvil here takes up to its 2G block gas limit). */
const seedBatch = 300;
/** Leaves signed per round of work handed to the workers. */
const seedChunk = 30_000;
/** Seeding transactions under way at once. */
const seedInFlight = 4;

/** Throws when `records` seeded records would not fit in this machine's memory (checked before any view runs). */
export function assertGrowthFits(records: number): void {
  const needed = records * chainBytesPerRecord;
  if (needed > totalmem() * 0.8) {
    throw new Error(
      `growth: ${records} records would take anvil about ${Math.round(needed / 2 ** 30)} GiB of memory (measured: ${chainBytesPerRecord / 1000} KB a record), more than this machine's ${Math.round(totalmem() / 2 ** 30)} GiB allow; set BENCH_GROWTH_RECORDS lower`,
    );
  }
}

export async function runGrowth(
  pool: WorkerPool,
  load: LoadGenerator,
  growth: { records: number; writes: number; reads: number },
): Promise<GrowthResult> {
  log(`growth: starting a gateway, then seeding ${growth.records} records`);
  const gateway = await startGateway({ externalChain: true });
  try {
    const { url } = gateway;
    const actors = await setUpActors(url, gateway.admin, gateway.organisationId, options.actors);
    const patients = actors.patients.map((patient) => patient.address as Address);
    const context = await recordContext(
      createGatewayClient({ url, identity: actors.doctors[0] as Identity }),
      patients,
    );
    const senders = await developmentAccounts(gateway.rpcUrl);
    const lanes = Math.min(seedInFlight, senders.length);
    const started = performance.now();
    let anchored = 0;
    const sign = (start: number, count: number) =>
      pool.runEach(
        split(count, pool.size).map(([a, b]) => ({
          kind: 'signLeaves' as const,
          context,
          doctors: actors.doctors,
          patients,
          from: start + a,
          to: start + b,
        })),
      );
    let signing = sign(0, Math.min(seedChunk, growth.records));
    for (let start = 0; start < growth.records; start += seedChunk) {
      const signed = (await signing).flat();
      const nextStart = start + seedChunk;
      if (nextStart < growth.records)
        signing = sign(nextStart, Math.min(seedChunk, growth.records - nextStart));
      const batches: (typeof signed)[] = [];
      for (let i = 0; i < signed.length; i += seedBatch) batches.push(signed.slice(i, i + seedBatch));
      await Promise.all(
        senders.slice(0, lanes).map(async (from) => {
          for (let batch = batches.shift(); batch; batch = batches.shift()) {
            const inputs = batch.map((record) => ({
              leaf: record.leaf,
              signature: record.signature,
              grantId: actors.grants[record.patient]?.[record.doctor] as bigint,
            }));
            await gasUsedBy(
              gateway.rpcUrl,
              await anchorDirectly(gateway.rpcUrl, from, context.recordsContract, inputs),
            );
            anchored += batch.length;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      log(
        `growth: ${anchored} records anchored in ${Math.round(seconds)} s (${Math.round(anchored / seconds)}/s)`,
      );
    }
    const indexed = await waitForIndex(gateway, growth.records);
    log(`growth: the gateway's index holds ${indexed} records`);

    const tokens = () => sessionTokens([url], actors.doctors);
    log(`growth: preparing ${growth.writes} uploads (untimed)`);
    const writes = await prepareWrites(pool, context, actors, 0, growth.writes);
    const pids = { gateway: gateway.pid, chain: gateway.chainPid };
    const write = await measureReplay(
      load,
      'growth write',
      writeOperations(url, (await tokens())[0] as string[], writes),
      options.capacity.concurrency,
      pids,
    );
    await verifySample(url, actors, writes);
    const read = await measureReplay(
      load,
      'growth read',
      readOperations([url], await tokens(), readTargets(writes, growth.reads), 1),
      options.capacity.concurrency,
      pids,
    );
    log(
      `growth: CPU µs per write ${write.cpu?.gateway} gateway, ${write.cpu?.chain} chain; per read ${read.cpu?.gateway} gateway, ${read.cpu?.chain} chain`,
    );
    return {
      records: indexed,
      write: write.phase,
      read: read.phase,
      gatewayRssMiB: rssMiBOf(gateway.pid),
      chainRssMiB: rssMiBOf(gateway.chainPid),
    };
  } finally {
    await gateway.stop();
  }
}

/** Waits until the gateway's SQLite index holds at least `expected` records; resolves with its count. */
async function waitForIndex(gateway: Gateway, expected: number): Promise<number> {
  const db = new DatabaseSync(join(gateway.dataDir, 'gateway.sqlite'), { readOnly: true });
  try {
    let last = -1;
    let lastChange = Date.now();
    for (;;) {
      const row = db.prepare('SELECT count(*) AS n FROM records').get() as { n: number } | undefined;
      const count = Number(row?.n ?? 0);
      if (count >= expected) return count;
      if (count !== last) {
        last = count;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > 5 * 60_000) {
        throw new Error(`the gateway's index stopped at ${count} of ${expected} records`);
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  } finally {
    db.close();
  }
}
