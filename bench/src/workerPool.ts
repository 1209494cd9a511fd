/**
 * Worker threads for client-side work, one per core (`os.availableParallelism()`): the e2e view's
 * clients and the capacity view's untimed preparation run there, so the bench's main thread only
 * hands out work and keeps time.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Task, TaskResult } from './worker.ts';

export interface WorkerPool {
  size: number;
  /** Runs `tasks[i]` on worker i (as many tasks as workers, or fewer). */
  runEach<T extends Task>(tasks: T[]): Promise<TaskResult<T>[]>;
  close(): Promise<void>;
}

export async function startWorkerPool(size = availableParallelism()): Promise<WorkerPool> {
  const workers = Array.from(
    { length: size },
    () => new Worker(new URL('./worker.ts', import.meta.url), { stdout: false, stderr: false }),
  );
  let nextId = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  for (const worker of workers) {
    worker.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      if (message.error !== undefined) waiting.reject(new Error(message.error));
      else waiting.resolve(message.result);
    });
    worker.on('error', (error) => {
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    });
  }
  const run = (worker: Worker, task: Task) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, task });
    });
  return {
    size,
    async runEach<T extends Task>(tasks: T[]) {
      if (tasks.length > workers.length) throw new Error('more tasks than workers');
      return (await Promise.all(tasks.map((task, i) => run(workers[i] as Worker, task)))) as TaskResult<T>[];
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/** Splits 0 … count - 1 into `parts` contiguous ranges [from, to). */
export function split(count: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, i) => [
    Math.floor((count * i) / parts),
    Math.floor((count * (i + 1)) / parts),
  ]);
}
