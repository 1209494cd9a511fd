import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from './duration.ts';
import { InvalidInputError } from './errors.ts';

test('parseDuration reads one number and one unit', () => {
  assert.equal(parseDuration('90s'), 90);
  assert.equal(parseDuration('30m'), 1800);
  assert.equal(parseDuration('1h'), 3600);
  assert.equal(parseDuration('7d'), 604_800);
  assert.equal(parseDuration('2w'), 1_209_600);
});

test('parseDuration refuses anything else with InvalidInputError', () => {
  for (const bad of ['', '1', 'h', '1.5h', '-1h', '0s', '1y', '1h30m']) {
    assert.throws(() => parseDuration(bad), InvalidInputError, bad);
  }
});
