/**
 * A task the gateway repeats in the background (indexing, audit anchoring): one run at a time,
 * errors go to `onError` and the next run follows `intervalMs` after the last one ends. A caller
 * of `runNow` waits for a run that starts after its call (a run already under way may have read
 * the chain before the caller's transaction was mined); callers arriving during one run share the
 * single run that follows it.
 */
export interface PeriodicTask<T> {
  /** Runs now or, when a run is under way, once more right after it. */
  runNow(): Promise<T>;
  start(): void;
  /** Stops scheduling and waits for the run under way. */
  stop(): Promise<void>;
}

/**
 * Runs `work` while no other process sharing the gateway's store runs the same kind of work (see
 * `store/coordination.ts`); in a single process, just runs it.
 */
export type Exclusive = <T>(work: () => Promise<T>) => Promise<T>;

export function createPeriodicTask<T>(
  work: () => Promise<T>,
  intervalMs: number,
  onError?: (error: unknown) => void,
  exclusive?: Exclusive,
): PeriodicTask<T> {
  const run = exclusive ? () => exclusive(work) : work;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  let stopped = true;

  function runNow(): Promise<T> {
    if (!running) {
      running = run().finally(() => {
        running = undefined;
      });
      return running;
    }
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return runNow();
      });
    return next;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await runNow();
      } catch (error) {
        onError?.(error);
      }
      schedule();
    }, intervalMs);
  }

  return {
    runNow,
    start() {
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await next?.catch(() => undefined);
      await running?.catch(() => undefined);
    },
  };
}
