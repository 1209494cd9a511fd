/**
 * CPU time and memory of processes, from Linux's /proc: utime + stime of /proc/PID/stat (all of the
 * process's threads) and VmRSS of /proc/PID/status. Zero or null where /proc is missing.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (almost always 100). */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU microseconds (user + system) `pid` has used so far, or 0 if it cannot be read. */
export function cpuMicrosOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) / ticksPerSecond) * 1e6;
  } catch {
    return 0;
  }
}

/**
 * CPU microseconds of `pid` and its children so far (PostgreSQL: the postmaster and a backend per
 * connection). A child that ended takes its time with it: sample while connections stay open.
 */
export function cpuMicrosWithChildren(pid: number): number {
  let total = cpuMicrosOf(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4, the parent's id, is the second field after the command name.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid)
        total += cpuMicrosOf(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

/** Resident memory of `pid` in MiB, or null if it cannot be read. */
export function rssMiBOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kib === undefined ? null : Math.round((Number(kib) / 1024) * 10) / 10;
  } catch {
    return null;
  }
}

/** This process's CPU microseconds so far (all its threads, workers included). */
export function ownCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** CPU microseconds used by the bench itself (`client`), a gateway process and its chain. */
export interface CpuSample {
  client: number;
  gateway: number;
  chain: number;
}

export function sampleCpu(pids: { gateway: number; chain: number }): CpuSample {
  return { client: ownCpuMicros(), gateway: cpuMicrosOf(pids.gateway), chain: cpuMicrosOf(pids.chain) };
}

/** CPU microseconds per operation between two samples. */
export function cpuPerOperation(before: CpuSample, after: CpuSample, operations: number): CpuSample {
  const per = (key: keyof CpuSample) =>
    operations > 0 ? Math.round((after[key] - before[key]) / operations) : Number.NaN;
  return { client: per('client'), gateway: per('gateway'), chain: per('chain') };
}
