import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from '../bytes.ts';
import { InvalidInputError } from '../errors.ts';
import { checkShareParameters, combineShares, maxShares, shareIndex, splitSecret } from './shamir.ts';

/** Every subset of `items` of the given size. */
function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [first, ...rest] = items as [T, ...T[]];
  return [...subsets(rest, size - 1).map((s) => [first, ...s]), ...subsets(rest, size)];
}

/**
 * Pearson's chi-square statistic critical value for `df` degrees of freedom at upper-tail
 * probability ~1e-6 (z = 4.75), by the Wilson–Hilferty approximation.
 */
function chiSquareCritical(df: number, z = 4.75): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

function chiSquareUniform(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

/** Chi-square statistic of homogeneity of two histograms (2 × bins contingency table). */
function chiSquareHomogeneity(a: readonly number[], b: readonly number[]): number {
  const totalA = a.reduce((x, y) => x + y, 0);
  const totalB = b.reduce((x, y) => x + y, 0);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const column = (a[i] ?? 0) + (b[i] ?? 0);
    if (column === 0) continue;
    const expectedA = (column * totalA) / (totalA + totalB);
    const expectedB = (column * totalB) / (totalA + totalB);
    sum += ((a[i] ?? 0) - expectedA) ** 2 / expectedA + ((b[i] ?? 0) - expectedB) ** 2 / expectedB;
  }
  return sum;
}

describe('Shamir secret sharing', () => {
  it('recovers the secret from every k-of-n subset, n ≤ 5, and not from fewer', async () => {
    for (let n = 2; n <= 5; n++) {
      for (let k = 1; k <= n; k++) {
        const secret = randomBytes(32);
        const shares = await splitSecret(secret, n, k);
        assert.equal(shares.length, n);
        for (const share of shares) assert.equal(share.length, 33);
        assert.equal(new Set(shares.map(shareIndex)).size, n, 'distinct indexes');
        for (let size = 1; size <= n; size++) {
          for (const subset of subsets(shares, size)) {
            const combined = await combineShares(subset);
            if (size >= k) assert.deepEqual(combined, secret, `${k}-of-${n}, ${size} shares`);
            else assert.notDeepEqual(combined, secret, `${k}-of-${n}, only ${size} shares`);
          }
        }
      }
    }
  });

  it('with threshold 1 replicates the secret in every share', async () => {
    const secret = randomBytes(32);
    const shares = await splitSecret(secret, 3, 1);
    assert.deepEqual(shares.map(shareIndex), [1, 2, 3]);
    for (const share of shares) assert.deepEqual(share.subarray(0, 32), secret);
  });

  it('accepts a Buffer and does not keep a reference to the secret', async () => {
    const secret = Buffer.from(randomBytes(32));
    const copy = new Uint8Array(secret);
    const shares = await splitSecret(secret, 3, 2);
    secret.fill(0);
    assert.deepEqual(await combineShares([Buffer.from(shares[0]!), shares[2]!]), copy);
  });

  it('checks its inputs', async () => {
    const secret = randomBytes(32);
    for (const [n, k] of [
      [1, 1],
      [maxShares + 1, 2],
      [3, 0],
      [3, 4],
      [3, 1.5],
      [2.5, 2],
      [Number.NaN, 2],
    ] as const) {
      await assert.rejects(splitSecret(secret, n, k), InvalidInputError, `n=${n} k=${k}`);
      assert.throws(() => checkShareParameters(n, k), InvalidInputError);
    }
    await assert.rejects(splitSecret(new Uint8Array(0), 3, 2), InvalidInputError);
    const shares = await splitSecret(secret, 3, 2);
    await assert.rejects(combineShares([]), InvalidInputError);
    await assert.rejects(combineShares([shares[0]!, shares[0]!]), InvalidInputError, 'duplicate index');
    await assert.rejects(combineShares([shares[0]!, shares[1]!.subarray(1)]), InvalidInputError, 'lengths');
    const zeroIndex = shares[1]!.slice();
    zeroIndex[32] = 0;
    await assert.rejects(combineShares([shares[0]!, zeroIndex]), InvalidInputError, 'index 0');
    await assert.rejects(combineShares([new Uint8Array(1)]), InvalidInputError, 'too short');
  });

  // Perfect secrecy, tested two ways for the library we rely on.

  it('gives a single share of a 2-of-3 split that is uniform and independent of the secret', async () => {
    // Over many splits of two fixed, very different secrets, count the values of every y byte of
    // every share. If one share (k - 1 = 1) says nothing about the secret, both histograms are
    // uniform over 0..255 and the same as each other. Chi-square tests at p ≈ 1e-6.
    const splits = 1500;
    const histograms: number[][] = [];
    for (const fill of [0x00, 0xa7]) {
      const secret = new Uint8Array(32).fill(fill);
      const counts = new Array<number>(256).fill(0);
      for (let i = 0; i < splits; i++) {
        for (const share of await splitSecret(secret, 3, 2)) {
          for (const byte of share.subarray(0, 32)) counts[byte]!++;
        }
      }
      histograms.push(counts);
      const statistic = chiSquareUniform(counts);
      assert.ok(statistic < chiSquareCritical(255), `secret ${fill}: chi-square ${statistic} (not uniform)`);
    }
    const statistic = chiSquareHomogeneity(histograms[0]!, histograms[1]!);
    assert.ok(statistic < chiSquareCritical(255), `chi-square ${statistic}: share depends on the secret`);
    // Sanity check of the test itself: the secret's own bytes are far from uniform.
    const biased = new Array<number>(256).fill(0);
    biased[0] = splits;
    assert.ok(chiSquareUniform(biased) > chiSquareCritical(255));
  });

  it('leaves every secret equally possible given k - 1 shares (exhaustive over one byte)', async () => {
    // Information-theoretic argument, made executable: a share set of threshold k is the
    // evaluation of a polynomial of degree k - 1 whose k - 1 non-constant coefficients are
    // uniform. Given any k - 1 shares, each candidate secret s' is consistent with exactly one
    // polynomial (it passes through the k - 1 points and (0, s')), i.e. with exactly one value of
    // any further share. So the number of coefficient choices that explain what was seen is the
    // same (one) for every s', and the posterior of the secret equals its prior. Checked here
    // exhaustively, through the library's own `combine`: for each candidate s' in 0..255 exactly
    // one value c of one more share makes the k shares reconstruct s'.
    for (const k of [2, 3, 4]) {
      const shares = await splitSecret(Uint8Array.of(0x5a), k + 1, k);
      const seen = shares.slice(0, k - 1);
      const used = new Set(shares.map(shareIndex));
      const x = [...Array(255).keys()].map((i) => i + 1).find((i) => !used.has(i))!;
      const completions = new Array<number>(256).fill(0);
      for (let c = 0; c < 256; c++) {
        const [secret] = await combineShares([...seen, Uint8Array.of(c, x)]);
        completions[secret!]!++;
      }
      assert.deepEqual(completions, new Array<number>(256).fill(1), `k=${k}`);
    }
  });

  it('can complete k - 1 shares of a real key to any candidate key', async () => {
    // The same for a 32-byte key, 2-of-3: whatever the true key, one share is consistent with
    // a random other key (byte by byte, the unique completing share value is found by search).
    const key = randomBytes(32);
    const [seen] = await splitSecret(key, 3, 2);
    const candidate = randomBytes(32);
    const x = shareIndex(seen!) === 255 ? 254 : shareIndex(seen!) + 1;
    const completion = new Uint8Array(33);
    completion[32] = x;
    for (let byte = 0; byte < 32; byte++) {
      for (let c = 0; c < 256; c++) {
        const [value] = await combineShares([
          Uint8Array.of(seen![byte]!, shareIndex(seen!)),
          Uint8Array.of(c, x),
        ]);
        if (value === candidate[byte]) {
          completion[byte] = c;
          break;
        }
      }
    }
    assert.deepEqual(await combineShares([seen!, completion]), candidate);
  });
});
