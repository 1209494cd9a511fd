/**
 * What a run measures and how much, from the environment. BENCH_QUICK=1 keeps every view with
 * small counts (CI's run) and never runs the growth view.
 */
const env = process.env;
export const quick = env.BENCH_QUICK === '1';

function count(name: string, full: number, short: number): number {
  const value = env[name];
  if (value === undefined || value === '') return quick ? short : full;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`${name} must be a whole number, got "${value}"`);
  return parsed;
}

export const options = {
  quick,
  /** Doctors, and as many patients, each patient consenting to every doctor. */
  actors: count('BENCH_ACTORS', 8, 3),
  e2e: {
    writes: count('BENCH_WRITES', 2_000, 80),
    reads: count('BENCH_READS', 4_000, 160),
    /** Clients under way at once, spread over the worker threads. */
    concurrency: count('BENCH_CONCURRENCY', 64, 32),
  },
  threshold: {
    writes: count('BENCH_THRESHOLD_WRITES', 1_000, 40),
    reads: count('BENCH_THRESHOLD_READS', 2_000, 80),
  },
  capacity: {
    writes: count('BENCH_CAPACITY_WRITES', 5_000, 150),
    reads: count('BENCH_CAPACITY_READS', 10_000, 300),
    thresholdReads: count('BENCH_CAPACITY_THRESHOLD_READS', 4_000, 150),
    /** Requests under way at once (connections to each gateway). */
    concurrency: count('BENCH_CAPACITY_CONCURRENCY', 256, 64),
  },
  sweep: {
    levels: (env.BENCH_SWEEP ?? '1,8,64,256').split(',').map(Number),
    /** Operations at each level: at least this many, and 4 writes and 8 reads per connection (1 when quick). */
    writes: count('BENCH_SWEEP_WRITES', 1_000, 40),
    reads: count('BENCH_SWEEP_READS', 2_000, 80),
    perConnection: quick ? { writes: 1, reads: 1 } : { writes: 4, reads: 8 },
  },
  /** `threshold` (3 gateway processes, custody 2 of 3) unless BENCH_SCENARIOS=single. */
  withThreshold: (env.BENCH_SCENARIOS ?? 'single,threshold').split(',').includes('threshold'),
  /**
   * Gateway processes of one organisation on PostgreSQL: a capacity write and read for each group
   * size in BENCH_PROCESSES (default 1 and 2, quick 2; empty or 0 for none).
   */
  processGroup: {
    sizes: (env.BENCH_PROCESSES ?? (quick ? '2' : '1,2'))
      .split(',')
      .filter((size) => size.trim() !== '')
      .map(Number)
      .filter((size) => size > 0),
    writes: count('BENCH_GROUP_WRITES', 5_000, 100),
    reads: count('BENCH_GROUP_READS', 10_000, 200),
  },
  growth: {
    enabled: env.BENCH_GROWTH === '1' && !quick,
    records: count('BENCH_GROWTH_RECORDS', 1_000_000, 0),
    writes: count('BENCH_GROWTH_WRITES', 5_000, 0),
    reads: count('BENCH_GROWTH_READS', 10_000, 0),
  },
};
