/** Figures of one measured phase, and how they are computed from latencies. */

/** What every view reports for one scenario. */
export interface Figures {
  /** Operations that succeeded. */
  count: number;
  failed: number;
  /** Successful operations per second of wall-clock time, from the first start to the last answer. */
  perSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Figures plus the phase's wall-clock seconds (printed, not kept in the JSON). */
export interface Phase extends Figures {
  seconds: number;
}

export function summarise(latenciesMs: number[], failed: number, seconds: number): Phase {
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    count: sorted.length,
    failed,
    perSec: round(sorted.length / seconds),
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    seconds: round(seconds),
  };
}

export function figuresOf({ count, failed, perSec, p50Ms, p99Ms }: Phase): Figures {
  return { count, failed, perSec, p50Ms, p99Ms };
}

/** The nearest-rank percentile of sorted values (NaN when there are none). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Latencies of the operations that succeeded, failures, and the first error. */
export interface Timings {
  latenciesMs: number[];
  failed: number;
  firstError?: string;
}

/**
 * Runs operations 0 … count - 1, `concurrency` of them under way at once, and times each; errors
 * count as failures.
 */
export async function timeOperations(
  count: number,
  concurrency: number,
  operation: (index: number) => Promise<void>,
): Promise<Timings> {
  const latenciesMs: number[] = [];
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, async () => {
      while (next < count) {
        const index = next++;
        const begin = performance.now();
        try {
          await operation(index);
          latenciesMs.push(performance.now() - begin);
        } catch (error) {
          failed += 1;
          firstError ??= messageOf(error);
        }
      }
    }),
  );
  return { latenciesMs, failed, ...(firstError === undefined ? {} : { firstError }) };
}

/** Like `timeOperations`, summarised over the phase's wall-clock time; logs the first error. */
export async function runConcurrently(
  name: string,
  count: number,
  concurrency: number,
  operation: (index: number) => Promise<void>,
): Promise<Phase> {
  const started = performance.now();
  const timings = await timeOperations(count, concurrency, operation);
  return phaseOf(name, [timings], (performance.now() - started) / 1000);
}

/** One phase's figures from the timings of its parts (workers), over `seconds` of wall-clock time. */
export function phaseOf(name: string, parts: Timings[], seconds: number): Phase {
  const failed = parts.reduce((sum, part) => sum + part.failed, 0);
  const firstError = parts.find((part) => part.firstError)?.firstError;
  if (firstError) log(`${name}: ${failed} failed; first error: ${firstError}`);
  return summarise(
    parts.flatMap((part) => part.latenciesMs),
    failed,
    seconds,
  );
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const startedAt = performance.now();

/** Prints a progress line, with the seconds since the bench started. */
export function log(message: string): void {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
  console.log(`[${seconds} s] ${message}`);
}
