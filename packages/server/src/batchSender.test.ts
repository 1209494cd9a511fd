import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBatchSender } from './batchSender.ts';

/** A refusal naming the item it blames, as a decoded contract error does. */
function refusal(blamed: string) {
  return Object.assign(new Error(`refused ${blamed}`), { contractError: { args: [blamed] } });
}

describe('batch sender', () => {
  function sender(options: { refuse?: Set<string>; maxBatchSize?: number; maxInFlight?: number } = {}) {
    const batches: string[][] = [];
    const batchSender = createBatchSender<string, string>({
      async send(batch) {
        batches.push(batch);
        await new Promise((resolve) => setTimeout(resolve, 5));
        const bad = batch.find((item) => options.refuse?.has(item));
        if (bad) throw refusal(bad);
        return batch.map((item) => `sent ${item}`);
      },
      offenders: (error, batch) => {
        const blamed = (error as { contractError?: { args: unknown[] } }).contractError?.args[0];
        return batch.filter((item) => item === blamed);
      },
      maxBatchSize: options.maxBatchSize ?? 3,
      maxInFlight: options.maxInFlight ?? 1,
    });
    return { batchSender, batches };
  }

  it('sends items together, up to the batch size, and answers each with its own result', async () => {
    const { batchSender, batches } = sender();
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => batchSender.submit(item)));
    assert.deepEqual(results, ['sent a', 'sent b', 'sent c', 'sent d', 'sent e']);
    assert.deepEqual(batches, [['a'], ['b', 'c', 'd'], ['e']]);
    assert.equal(batchSender.pending(), 0);
  });

  it('fails the item a refusal blames and sends the rest again', async () => {
    const { batchSender, batches } = sender({ refuse: new Set(['bad']), maxInFlight: 1 });
    const [first, bad, last] = await Promise.allSettled(
      ['x', 'bad', 'y'].map((item) => batchSender.submit(item)),
    );
    assert.deepEqual(first, { status: 'fulfilled', value: 'sent x' });
    assert.equal(bad?.status, 'rejected');
    assert.match(String((bad as PromiseRejectedResult).reason), /refused bad/);
    assert.deepEqual(last, { status: 'fulfilled', value: 'sent y' });
    assert.deepEqual(batches.at(-1), ['y']);
  });

  it('fails a whole batch whose refusal blames none of its items, and drains', async () => {
    const batchSender = createBatchSender<string, string>({
      send: async () => {
        throw new Error('ledger unavailable');
      },
      offenders: () => [],
      maxBatchSize: 10,
      maxInFlight: 2,
    });
    const outcomes = await Promise.allSettled(['a', 'b'].map((item) => batchSender.submit(item)));
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['rejected', 'rejected'],
    );
    await batchSender.drain();
  });
});
