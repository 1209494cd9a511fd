import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPeriodicTask } from './periodicTask.ts';

/** A task whose runs finish when the test says so; each run resolves with its number. */
function controlledTask() {
  const started: number[] = [];
  const finishers: (() => void)[] = [];
  const task = createPeriodicTask(() => {
    const run = started.length + 1;
    started.push(run);
    return new Promise<number>((resolve) => finishers.push(() => resolve(run)));
  }, 60_000);
  const finish = async (run: number) => {
    while (finishers.length < run) await new Promise((resolve) => setImmediate(resolve));
    finishers[run - 1]?.();
  };
  return { task, started, finish };
}

describe('periodic task', () => {
  it('starts a new run for a caller arriving once the last run ended', async () => {
    const { task, started, finish } = controlledTask();
    const first = task.runNow();
    await finish(1);
    assert.equal(await first, 1);
    const second = task.runNow();
    await finish(2);
    assert.equal(await second, 2);
    assert.deepEqual(started, [1, 2]);
  });

  it('gives a caller arriving during a run a run that starts after its call, shared with the others', async () => {
    const { task, started, finish } = controlledTask();
    const underWay = task.runNow();
    const [late, later] = [task.runNow(), task.runNow()];
    assert.deepEqual(started, [1], 'the follow-up waits for the run under way');
    await finish(1);
    assert.equal(await underWay, 1);
    await finish(2);
    assert.deepEqual(await Promise.all([late, later]), [2, 2]);
    assert.deepEqual(started, [1, 2], 'one follow-up run for all late callers');
  });

  it('runs the follow-up even when the run under way fails, and reports each run’s own outcome', async () => {
    let runs = 0;
    let failFirst: (error: Error) => void = () => undefined;
    const task = createPeriodicTask(() => {
      runs += 1;
      return runs === 1
        ? new Promise<number>((_, reject) => {
            failFirst = reject;
          })
        : Promise.resolve(runs);
    }, 60_000);
    const first = task.runNow();
    const second = task.runNow();
    failFirst(new Error('chain unreachable'));
    await assert.rejects(first, /chain unreachable/);
    assert.equal(await second, 2);
  });
});
