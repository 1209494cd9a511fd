/**
 * Batches of signed items relayed in one transaction each: items wait in a queue and go out up to
 * `maxBatchSize` at a time, `maxInFlight` transactions under way at once. A caller is answered when
 * its batch is in a block.
 *
 * A contract refuses a whole batch for one bad item and names it in its error; the batch sender
 * then fails the items the error blames and sends the rest again. The record anchorer and the
 * co-signature anchorer are both built on it.
 */
export interface BatchSenderOptions<Item, Result> {
  /** Sends one batch in one transaction; resolves with one result per item, in order. */
  send(batch: Item[]): Promise<Result[]>;
  /** The items of a refused batch that the error names (none: the whole batch fails). */
  offenders(error: unknown, batch: Item[]): Item[];
  /** Items per transaction. */
  maxBatchSize: number;
  /** Transactions under way at once. */
  maxInFlight: number;
}

export type BatchSender<Item, Result> = ReturnType<typeof createBatchSender<Item, Result>>;

interface Pending<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export function createBatchSender<Item, Result>(options: BatchSenderOptions<Item, Result>) {
  const { maxBatchSize, maxInFlight } = options;
  const queue: Pending<Item, Result>[] = [];
  let inFlight = 0;
  let idle: (() => void) | undefined;

  function submit(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
  }

  function pump(): void {
    while (inFlight < maxInFlight && queue.length) {
      const batch = queue.splice(0, maxBatchSize);
      inFlight += 1;
      sendBatch(batch).finally(() => {
        inFlight -= 1;
        pump();
        if (!inFlight && !queue.length) idle?.();
      });
    }
  }

  async function sendBatch(batch: Pending<Item, Result>[]): Promise<void> {
    const items = batch.map((pending) => pending.item);
    try {
      const results = await options.send(items);
      for (const [index, pending] of batch.entries()) pending.resolve(results[index] as Result);
    } catch (error) {
      const blamed = new Set(batch.length > 1 ? options.offenders(error, items) : []);
      if (blamed.size && blamed.size < batch.length) {
        for (const pending of batch) if (blamed.has(pending.item)) pending.reject(error);
        queue.unshift(...batch.filter((pending) => !blamed.has(pending.item)));
        return;
      }
      for (const pending of batch) pending.reject(error);
    }
  }

  /** Resolves once nothing is queued or under way (used on shutdown). */
  function drain(): Promise<void> {
    if (!inFlight && !queue.length) return Promise.resolve();
    return new Promise((resolve) => {
      idle = resolve;
    });
  }

  return { submit, drain, pending: () => queue.length + inFlight };
}

/** The arguments of the contract error a ledger error carries, if any (see `contractErrors.ts`). */
export function contractErrorArgs(error: unknown): readonly unknown[] | undefined {
  return (error as { contractError?: { args: readonly unknown[] } } | undefined)?.contractError?.args;
}
