/**
 * The process-group view: the capacity write and read replayed against N gateway processes of one
 * organisation on one PostgreSQL store and one anvil, requests handed to the processes in turn (as
 * a balancer would, without a balancer's own CPU in the figures). With N = 1 and N = 2 it shows
 * what a second process adds on this machine, and at what CPU cost for gateways, chain and store.
 */
import { createGatewayClient } from '@medledger/client';
import type { Identity } from '@medledger/core';
import type { Address } from 'viem';
import { setUpActors } from '../actors.ts';
import type { LoadGenerator, PreparedRequest } from '../loadGenerator.ts';
import { recordContext } from '../prepare.ts';
import { startGatewayGroup } from '../processes.ts';
import { cpuMicrosOf, cpuMicrosWithChildren, ownCpuMicros } from '../procStats.ts';
import { log, type Phase } from '../stats.ts';
import type { WorkerPool } from '../workerPool.ts';
import {
  prepareWrites,
  readOperations,
  readTargets,
  sessionTokens,
  verifySample,
  writeOperations,
} from './capacity.ts';
import { settle } from './e2e.ts';

export interface GroupCpu {
  loadGenerator: number;
  /** All the gateway processes together. */
  gateway: number;
  chain: number;
  /** PostgreSQL: the postmaster and its backends. */
  store: number;
}

export interface GroupResult {
  processes: number;
  write: Phase;
  read: Phase;
  cpuMicros: { write: GroupCpu; read: GroupCpu };
}

/** Hands operation i to `urls[i % urls.length]` (sessions live in the shared store: any process knows them). */
export function spreadOver(urls: string[], operations: PreparedRequest[][]): PreparedRequest[][] {
  return operations.map((requests, i) =>
    requests.map((request) => ({ ...request, origin: urls[i % urls.length] as string })),
  );
}

export async function runProcessGroup(
  pool: WorkerPool,
  load: LoadGenerator,
  count: number,
  sizes: { actors: number; writes: number; reads: number; concurrency: number },
): Promise<GroupResult> {
  log(`process group: starting ${count} gateway process(es) on PostgreSQL`);
  const group = await startGatewayGroup(count);
  try {
    const [first] = group.urls as [string];
    const actors = await setUpActors(first, group.admin, group.organisationId, sizes.actors);
    const patients = actors.patients.map((patient) => patient.address as Address);
    const context = await recordContext(
      createGatewayClient({ url: first, identity: actors.doctors[0] as Identity }),
      patients,
    );
    const writes = await prepareWrites(pool, context, actors, 0, sizes.writes);
    const tokens = (await sessionTokens([first], actors.doctors))[0] as string[];

    const sample = () => ({
      loadGenerator: ownCpuMicros(),
      gateway: group.pids.reduce((sum, pid) => sum + cpuMicrosOf(pid), 0),
      chain: cpuMicrosOf(group.chainPid),
      store: cpuMicrosWithChildren(group.storePid),
    });
    const measure = async (name: string, operations: PreparedRequest[][]) => {
      const before = sample();
      const phase = await load.replay(name, spreadOver(group.urls, operations), sizes.concurrency);
      await settle();
      const after = sample();
      const per = (key: keyof GroupCpu) => Math.round((after[key] - before[key]) / Math.max(phase.count, 1));
      return {
        phase,
        cpu: {
          loadGenerator: per('loadGenerator'),
          gateway: per('gateway'),
          chain: per('chain'),
          store: per('store'),
        },
      };
    };

    const write = await measure(`group ${count} write`, writeOperations(first, tokens, writes));
    const checked = await verifySample(group.urls[count - 1] as string, actors, writes);
    const read = await measure(
      `group ${count} read`,
      readOperations([first], [tokens], readTargets(writes, sizes.reads), 1),
    );
    log(
      `process group of ${count}: ${write.phase.perSec} writes/s, ${read.phase.perSec} reads/s; ${checked} records read back and decrypted`,
    );
    return {
      processes: count,
      write: write.phase,
      read: read.phase,
      cpuMicros: { write: write.cpu, read: read.cpu },
    };
  } finally {
    await group.stop();
  }
}
