/** The results file (`bench/results/latest.json`), its chart (`latest.svg`) and the printed tables. */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Sweep, sweepChart } from './chart.ts';
import type { Gas } from './scenarios/gas.ts';
import type { GroupCpu } from './scenarios/processGroup.ts';
import type { Figures, Phase } from './stats.ts';

export interface Results {
  e2e: {
    write: Figures;
    read: Figures;
    thresholdWrite: Figures | null;
    thresholdRead: Figures | null;
  };
  /** `httpFloor`: GET /api/health, which does nothing: what HTTP alone sustains on this machine. */
  capacity: { write: Figures; read: Figures; thresholdRead: Figures | null; httpFloor: Figures };
  cost: {
    /**
     * CPU microseconds per operation: of the clients (e2e), and during capacity of the load
     * generator (the bench process), the gateway and the chain.
     */
    cpuMicros: Record<CpuPart, { write: number; read: number }>;
    /**
     * Operations per second that this machine's cores allow at the capacity view's CPU costs
     * (load generator, gateway and chain together): the ceiling of the capacity figures here.
     */
    cpuCeilingPerSec: { write: number; read: number };
    gas: Gas;
    /** Records per second that blocks of 30M gas every 2 s hold, at each batch size. */
    recordsPerSecAtBlockBudget: { batch1: number; batch10: number; batch100: number };
  };
  /**
   * By number of gateway processes on one PostgreSQL store: capacity write and read, and CPU
   * microseconds per operation of the load generator, all gateways, the chain and PostgreSQL.
   */
  processGroup: Record<
    string,
    { write: Figures; read: Figures; cpuMicros: { write: GroupCpu; read: GroupCpu } }
  >;
  growth: {
    records: number;
    write: Figures;
    read: Figures;
    gatewayRssMiB: number | null;
    chainRssMiB: number | null;
  } | null;
  sweep: Sweep;
  machine: { cpus: number; model: string; memoryGiB: number; node: string };
}

export function machine(): Results['machine'] {
  return {
    cpus: availableParallelism(),
    model: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

/** Writes latest.json and latest.svg; returns their paths. */
export async function writeResults(results: Results): Promise<string[]> {
  await mkdir(resultsDir, { recursive: true });
  const json = join(resultsDir, 'latest.json');
  const svg = join(resultsDir, 'latest.svg');
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`);
  const { cpus: cores, model } = results.machine;
  await writeFile(svg, sweepChart(results.sweep, `medledger capacity vs concurrency (${cores} × ${model})`));
  return [json, svg];
}

type CpuPart = 'client' | 'loadGenerator' | 'gateway' | 'chain';

/** Cores × 1 s over the CPU time one capacity operation costs the load generator, gateway and chain. */
export function cpuCeiling(cpuMicros: Results['cost']['cpuMicros']): Results['cost']['cpuCeilingPerSec'] {
  const of = (kind: 'write' | 'read') => {
    const total = cpuMicros.loadGenerator[kind] + cpuMicros.gateway[kind] + cpuMicros.chain[kind];
    return Math.round((cpus().length * 1e6) / total);
  };
  return { write: of('write'), read: of('read') };
}

export function printTables(results: Results, phases: Record<string, Phase | null>): void {
  printTable(
    ['view', 'count', 'failed', 'per sec', 'p50 ms', 'p99 ms', 'seconds'],
    Object.entries(phases)
      .filter((entry): entry is [string, Phase] => entry[1] !== null)
      .map(([name, p]) => [
        name,
        String(p.count),
        String(p.failed),
        p.perSec.toFixed(1),
        p.p50Ms.toFixed(1),
        p.p99Ms.toFixed(1),
        p.seconds.toFixed(1),
      ]),
  );
  console.log('');
  const { cpuMicros, gas, recordsPerSecAtBlockBudget: budget } = results.cost;
  printTable(
    ['CPU µs per operation', 'write', 'read'],
    [
      ...(['client', 'loadGenerator', 'gateway', 'chain'] as const).map((part) => [
        part === 'client' ? 'client (e2e)' : part === 'loadGenerator' ? 'load generator (capacity)' : part,
        String(cpuMicros[part].write),
        String(cpuMicros[part].read),
      ]),
      [
        `ceiling per sec on ${cpus().length} cores`,
        String(results.cost.cpuCeilingPerSec.write),
        String(results.cost.cpuCeilingPerSec.read),
      ],
    ],
  );
  console.log('');
  printTable(
    ['gas', 'per action', 'records/s at 30M gas per 2 s'],
    [
      ['record, batch of 1', String(gas.recordBatch1), String(budget.batch1)],
      ['record, batch of 10', String(gas.recordBatch10), String(budget.batch10)],
      ['record, batch of 100', String(gas.recordBatch100), String(budget.batch100)],
      ['consent grant', String(gas.grant), ''],
      ['consent revocation', String(gas.revoke), ''],
      ['patient registration', String(gas.registerPatient), ''],
    ],
  );
  const groups = Object.entries(results.processGroup);
  if (groups.length) {
    console.log('');
    printTable(
      ['CPU µs per operation, group on PostgreSQL', 'load generator', 'gateways', 'chain', 'PostgreSQL'],
      groups.flatMap(([size, { cpuMicros }]) =>
        (['write', 'read'] as const).map((kind) => [
          `${size} process(es), ${kind}`,
          ...(['loadGenerator', 'gateway', 'chain', 'store'] as const).map((part) =>
            String(cpuMicros[kind][part]),
          ),
        ]),
      ),
    );
  }
  if (results.growth) {
    console.log('');
    console.log(
      `growth: ${results.growth.records} records seeded; gateway RSS ${results.growth.gatewayRssMiB} MiB, chain RSS ${results.growth.chainRssMiB} MiB`,
    );
  }
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}
