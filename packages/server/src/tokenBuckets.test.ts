import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBuckets } from './tokenBuckets.ts';

test('a burst up to the capacity passes, then the refill rate holds, per key', () => {
  let now = 0;
  const buckets = new TokenBuckets({ capacity: 10, refillPerSecond: 2 }, () => now);
  assert.deepEqual(buckets.take('a', 6), { allowed: true });
  assert.deepEqual(buckets.take('a', 4), { allowed: true });
  assert.deepEqual(buckets.take('a', 1), { allowed: false, retryAfterSeconds: 1 });
  assert.deepEqual(buckets.take('b', 10), { allowed: true }, 'another key has its own bucket');
  now += 1_000;
  assert.deepEqual(buckets.take('a', 3), { allowed: false, retryAfterSeconds: 1 });
  assert.deepEqual(buckets.take('a', 2), { allowed: true });
  now += 60_000;
  assert.deepEqual(buckets.take('a', 10), { allowed: true }, 'never more than the capacity');
  assert.deepEqual(buckets.take('a', 1), { allowed: false, retryAfterSeconds: 1 });
});

test('a cost above the capacity costs the whole bucket', () => {
  const buckets = new TokenBuckets({ capacity: 5, refillPerSecond: 1 }, () => 0);
  assert.deepEqual(buckets.take('a', 50), { allowed: true });
  assert.deepEqual(buckets.take('a', 1), { allowed: false, retryAfterSeconds: 1 });
});
