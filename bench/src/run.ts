/**
 * `npm run bench`: medledger's benchmark, in four views (see README, "Benchmarks").
 *
 * - e2e: clients as users have them (`@medledger/client`), crypto on worker threads, against one
 *   gateway process and against the demo consortium (three gateway processes, custody 2 of 3).
 * - capacity: uploads sealed and signed, sessions taken, before the clock starts; a lean load
 *   generator (undici) replays them: what the gateway and its chain sustain. Also swept over
 *   concurrency (1, 8, 64, 256 requests under way).
 * - cost: CPU microseconds per operation of client, gateway and chain (from /proc), and gas per
 *   action from transaction receipts.
 * - process group: capacity write and read on 1 and 2 gateway processes of one organisation sharing
 *   one PostgreSQL store and one anvil (BENCH_PROCESSES).
 * - growth (BENCH_GROWTH=1, opt-in): the capacity figures again on a chain and gateway index
 *   holding a million records, with the processes' resident memory.
 *
 * Writes bench/results/latest.json and latest.svg and prints tables. BENCH_QUICK=1: every view
 * with small counts, no growth (CI). Other options: see options.ts. BENCH_PROFILE_DIR writes V8
 * CPU profiles of the gateway processes there.
 */
import { createGatewayClient } from '@medledger/client';
import type { Identity } from '@medledger/core';
import type { Address } from 'viem';
import { setUpActors } from './actors.ts';
import { createLoadGenerator } from './loadGenerator.ts';
import { options } from './options.ts';
import { recordContext } from './prepare.ts';
import { type Consortium, startConsortium, startGateway } from './processes.ts';
import { cpuCeiling, machine, printTables, type Results, writeResults } from './report.ts';
import {
  healthOperations,
  measureReplay,
  prepareWrites,
  readOperations,
  readTargets,
  sessionTokens,
  verifySample,
  writeOperations,
} from './scenarios/capacity.ts';
import { runE2e } from './scenarios/e2e.ts';
import { measureGas, recordsPerSecAtBudget } from './scenarios/gas.ts';
import { assertGrowthFits, runGrowth } from './scenarios/growth.ts';
import { type GroupResult, runProcessGroup } from './scenarios/processGroup.ts';
import { figuresOf, log, type Phase } from './stats.ts';
import { startWorkerPool } from './workerPool.ts';

async function main(): Promise<void> {
  const startedAt = performance.now();
  if (options.growth.enabled) assertGrowthFits(options.growth.records);
  log(
    `medledger bench${options.quick ? ' (quick)' : ''}: ${options.actors} doctors and patients; e2e ${options.e2e.writes} writes, ${options.e2e.reads} reads at ${options.e2e.concurrency}; capacity ${options.capacity.writes} writes, ${options.capacity.reads} reads at ${options.capacity.concurrency}`,
  );
  const pool = await startWorkerPool();
  const load = createLoadGenerator();
  try {
    // A quick run starts the consortium at once, beside the first gateway's start and set-up, and
    // lets it idle through the single-gateway views: quick figures check the tooling, no more.
    const early = options.quick && options.withThreshold ? startConsortium() : undefined;
    early?.catch(() => undefined);
    let single: Awaited<ReturnType<typeof singleGatewayViews>>;
    try {
      single = await singleGatewayViews(pool, load, early);
    } catch (error) {
      await (await early?.catch(() => undefined))?.stop();
      throw error;
    }
    const threshold = options.withThreshold ? await consortiumViews(pool, load, early) : undefined;
    const groups: GroupResult[] = [];
    for (const size of options.processGroup.sizes) {
      groups.push(
        await runProcessGroup(pool, load, size, {
          actors: options.actors,
          writes: options.processGroup.writes,
          reads: options.processGroup.reads,
          concurrency: options.capacity.concurrency,
        }),
      );
    }
    const growth = options.growth.enabled ? await runGrowth(pool, load, options.growth) : null;

    const phases: Record<string, Phase | null> = {
      'e2e write': single.e2e.write,
      'e2e read': single.e2e.read,
      'e2e threshold write': threshold?.e2e.write ?? null,
      'e2e threshold read': threshold?.e2e.read ?? null,
      'capacity write': single.capacity.write,
      'capacity read': single.capacity.read,
      'capacity threshold read': threshold?.capacityRead ?? null,
      'capacity http floor': single.capacity.httpFloor,
      ...Object.fromEntries(
        Object.entries(single.sweep).flatMap(([level, { write, read }]) => [
          [`sweep ${level} write`, write],
          [`sweep ${level} read`, read],
        ]),
      ),
      ...Object.fromEntries(
        groups.flatMap((group) => [
          [`group of ${group.processes} on PostgreSQL: write`, group.write],
          [`group of ${group.processes} on PostgreSQL: read`, group.read],
        ]),
      ),
      'growth write': growth?.write ?? null,
      'growth read': growth?.read ?? null,
    };
    const results: Results = {
      e2e: {
        write: figuresOf(single.e2e.write),
        read: figuresOf(single.e2e.read),
        thresholdWrite: threshold ? figuresOf(threshold.e2e.write) : null,
        thresholdRead: threshold ? figuresOf(threshold.e2e.read) : null,
      },
      capacity: {
        write: figuresOf(single.capacity.write),
        read: figuresOf(single.capacity.read),
        thresholdRead: threshold ? figuresOf(threshold.capacityRead) : null,
        httpFloor: figuresOf(single.capacity.httpFloor),
      },
      cost: {
        cpuMicros: single.cpuMicros,
        cpuCeilingPerSec: cpuCeiling(single.cpuMicros),
        gas: single.gas,
        recordsPerSecAtBlockBudget: recordsPerSecAtBudget(single.gas),
      },
      processGroup: Object.fromEntries(
        groups.map((group) => [
          String(group.processes),
          { write: figuresOf(group.write), read: figuresOf(group.read), cpuMicros: group.cpuMicros },
        ]),
      ),
      growth: growth
        ? {
            records: growth.records,
            write: figuresOf(growth.write),
            read: figuresOf(growth.read),
            gatewayRssMiB: growth.gatewayRssMiB,
            chainRssMiB: growth.chainRssMiB,
          }
        : null,
      sweep: Object.fromEntries(
        Object.entries(single.sweep).map(([level, { write, read }]) => [
          level,
          { write: figuresOf(write), read: figuresOf(read) },
        ]),
      ),
      machine: machine(),
    };
    const written = await writeResults(results);
    console.log('');
    printTables(results, phases);
    const m = results.machine;
    console.log(`\nmachine: ${m.cpus} cores (${m.model}), ${m.memoryGiB} GiB, Node ${m.node}`);
    console.log(`written: ${written.join(', ')}`);
    console.log(`took ${Math.round((performance.now() - startedAt) / 1000)} s`);
    if (Object.values(phases).some((phase) => phase?.failed)) process.exitCode = 1;
  } finally {
    await load.close();
    await pool.close();
  }
}

type Pool = Awaited<ReturnType<typeof startWorkerPool>>;
type Load = ReturnType<typeof createLoadGenerator>;

/** e2e, capacity, sweep and cost on one gateway process with its embedded chain. */
async function singleGatewayViews(pool: Pool, load: Load, consortiumStarting?: Promise<Consortium>) {
  log('starting one gateway');
  const gateway = await startGateway();
  try {
    const { url } = gateway;
    const pids = { gateway: gateway.pid, chain: gateway.chainPid };
    const actors = await setUpActors(url, gateway.admin, gateway.organisationId, options.actors);
    log(
      `one gateway (pid ${gateway.pid}, anvil ${gateway.chainPid}): ${options.actors} doctors and patients set up`,
    );
    if (consortiumStarting) {
      await consortiumStarting.catch(() => undefined);
      log('consortium started (quick run: it idles meanwhile)');
    }
    const e2e = await runE2e(pool, url, actors, { ...options.e2e, label: 'e2e' }, pids);

    const patients = actors.patients.map((patient) => patient.address as Address);
    const context = await recordContext(
      createGatewayClient({ url, identity: actors.doctors[0] as Identity }),
      patients,
    );
    let next = 0;
    const prepare = async (count: number) => {
      const began = performance.now();
      const records = await prepareWrites(pool, context, actors, next, count);
      next += count;
      log(`prepared ${count} uploads in ${((performance.now() - began) / 1000).toFixed(1)} s (untimed)`);
      return records;
    };
    const tokens = () => sessionTokens([url], actors.doctors);

    log('capacity: preparing uploads');
    const writes = await prepare(options.capacity.writes);
    const capacityWrite = await measureReplay(
      load,
      'capacity write',
      writeOperations(url, (await tokens())[0] as string[], writes),
      options.capacity.concurrency,
      pids,
    );
    const checked = await verifySample(url, actors, writes);
    const capacityRead = await measureReplay(
      load,
      'capacity read',
      readOperations([url], await tokens(), readTargets(writes, options.capacity.reads), 1),
      options.capacity.concurrency,
      pids,
    );
    log(
      `capacity: ${capacityWrite.phase.perSec} writes/s, ${capacityRead.phase.perSec} reads/s; ${checked} records read back and decrypted by the client`,
    );
    // The floor under every figure: what this machine's HTTP stack sustains for a request that does nothing.
    const httpFloor = await measureReplay(
      load,
      'capacity http floor',
      healthOperations(url, options.capacity.reads),
      options.capacity.concurrency,
      pids,
    );
    log(`capacity http floor: ${httpFloor.phase.perSec} GET /api/health/s`);

    const sweep: Record<string, { write: Phase; read: Phase }> = {};
    const written = [...writes];
    for (const level of options.sweep.levels) {
      const levelWrites = await prepare(
        Math.max(options.sweep.writes, level * options.sweep.perConnection.writes),
      );
      const write = await load.replay(
        `sweep ${level} write`,
        writeOperations(url, (await tokens())[0] as string[], levelWrites),
        level,
      );
      written.push(...levelWrites);
      const reads = Math.max(options.sweep.reads, level * options.sweep.perConnection.reads);
      const read = await load.replay(
        `sweep ${level} read`,
        readOperations([url], await tokens(), readTargets(written, reads), 1),
        level,
      );
      sweep[String(level)] = { write, read };
      log(
        `sweep ${level}: ${write.perSec} writes/s (p99 ${write.p99Ms} ms), ${read.perSec} reads/s (p99 ${read.p99Ms} ms)`,
      );
    }

    log('gas: registration, grant, revocation, record batches of 1, 10, 100');
    const gas = await measureGas(gateway, actors, pool, context);
    const cpu = (view: 'client' | 'gateway' | 'chain') => ({
      write: (view === 'client' ? e2e.cpu?.write : capacityWrite.cpu)?.[view] ?? Number.NaN,
      read: (view === 'client' ? e2e.cpu?.read : capacityRead.cpu)?.[view] ?? Number.NaN,
    });
    // During capacity the bench process is the load generator and nothing else.
    const loadGenerator = {
      write: capacityWrite.cpu?.client ?? Number.NaN,
      read: capacityRead.cpu?.client ?? Number.NaN,
    };
    return {
      e2e,
      capacity: { write: capacityWrite.phase, read: capacityRead.phase, httpFloor: httpFloor.phase },
      sweep,
      gas,
      cpuMicros: {
        client: cpu('client'),
        loadGenerator,
        gateway: cpu('gateway'),
        chain: cpu('chain'),
      },
    };
  } finally {
    await gateway.stop();
  }
}

/** e2e threshold writes and reads, and capacity threshold reads, on the demo consortium. */
async function consortiumViews(pool: Pool, load: Load, started?: Promise<Consortium>) {
  if (!started) log('starting the demo consortium');
  const consortium = await (started ?? startConsortium());
  if (!started) log('consortium started');
  try {
    const url = consortium.urls[0] as string;
    const actors = await setUpActors(url, consortium.admin, consortium.organisationId, options.actors);
    log(`consortium (3 gateways, custody 2 of 3): ${options.actors} doctors and patients set up`);
    const e2e = await runE2e(pool, url, actors, {
      ...options.threshold,
      concurrency: options.e2e.concurrency,
      label: 'e2e threshold',
    });
    const tokens = await sessionTokens(consortium.urls.slice(0, 2), actors.doctors);
    const capacityRead = await measureReplay(
      load,
      'capacity threshold read',
      readOperations(consortium.urls, tokens, readTargets(e2e.written, options.capacity.thresholdReads), 2),
      options.capacity.concurrency,
    );
    log(`capacity threshold read: ${capacityRead.phase.perSec} reads/s`);
    return { e2e, capacityRead: capacityRead.phase };
  } finally {
    await consortium.stop();
  }
}

await main();
