/**
 * A task the gateway repeats in the background (indexing, audit anchoring): one run at a time,
 * concurrent callers share the run under way, errors go to `onError` and the next run follows
 * `intervalMs` after the last one ends.
 */
export interface PeriodicTask<T> {
  /** Runs now, or joins the run under way. */
  runNow(): Promise<T>;
  start(): void;
  /** Stops scheduling and waits for the run under way. */
  stop(): Promise<void>;
}

export function createPeriodicTask<T>(
  run: () => Promise<T>,
  intervalMs: number,
  onError?: (error: unknown) => void,
): PeriodicTask<T> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<T> | undefined;
  let stopped = true;

  function runNow(): Promise<T> {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
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
      await running?.catch(() => undefined);
    },
  };
}
