/**
 * k-of-n secret sharing: a thin, checked wrapper around the audited `shamir-secret-sharing`
 * package (Privy; audited by Cure53 and Zellic). Shamir's scheme over GF(2^8), byte by byte:
 * each byte of the secret is the constant term of a fresh random polynomial of degree k - 1.
 *
 * Share format (the library's): the y values, one byte per byte of the secret, followed by one
 * byte x, the share's coordinate (its *index*), unique within a split, in 1..255 and chosen at
 * random by the library. A share of a 32-byte key is therefore 33 bytes.
 *
 * Limits: 2 ≤ n ≤ `maxShares` (16) shares, 1 ≤ k ≤ n. The library itself accepts
 * 2 ≤ k ≤ n ≤ 255 only; threshold 1 is handled here without it, as what a degree-0 polynomial
 * gives: every share is the secret itself (plain replication, no secrecy between share holders),
 * followed by the coordinates 1..n. `combineShares` of a single share returns its y values,
 * which is the secret only for threshold 1; with two or more shares the library interpolates,
 * which is correct for any threshold (replicated shares interpolate to the constant).
 *
 * Reconstruction from fewer than k shares, or from corrupted ones, silently yields a wrong
 * value (the library does not authenticate shares): callers must check the result, as the
 * custody layer does by decrypting the record with it (`custody.ts`).
 */
import { combine, split } from 'shamir-secret-sharing';
import { InvalidInputError } from '../errors.ts';

/** Largest number of shares (custodians) of one secret. */
export const maxShares = 16;
/** Largest secret that can be split (bytes). */
export const maxSecretSize = 1024;

export type SplitSecretErrorType = InvalidInputError;
export type CombineSharesErrorType = InvalidInputError;

/**
 * Splits `secret` into `shares` shares of which any `threshold` reconstruct it and fewer reveal
 * nothing about it (for threshold ≥ 2).
 *
 * @example
 * const shares = await splitSecret(dataKey, 3, 2); // three 33-byte shares
 * await combineShares([shares[0], shares[2]]); // dataKey
 */
export async function splitSecret(
  secret: Uint8Array,
  shares: number,
  threshold: number,
): Promise<Uint8Array[]> {
  if (!(secret instanceof Uint8Array) || secret.length < 1 || secret.length > maxSecretSize) {
    throw new InvalidInputError(`Invalid secret: expected 1 to ${maxSecretSize} bytes.`);
  }
  checkShareParameters(shares, threshold);
  if (threshold === 1) {
    return Array.from({ length: shares }, (_, i) => {
      const share = new Uint8Array(secret.length + 1);
      share.set(secret);
      share[secret.length] = i + 1;
      return share;
    });
  }
  // The library checks `constructor === Uint8Array`: pass a plain copy (not a Buffer).
  return split(new Uint8Array(secret), shares, threshold);
}

/**
 * Reconstructs a secret from shares of one split (any order). Checks the shapes only: a wrong
 * or insufficient set of shares gives a wrong secret, never an error.
 *
 * @example
 * const dataKey = await combineShares([shareA, shareC]);
 */
export async function combineShares(shares: readonly Uint8Array[]): Promise<Uint8Array> {
  if (!Array.isArray(shares) || shares.length < 1 || shares.length > maxShares) {
    throw new InvalidInputError(`Invalid shares: expected 1 to ${maxShares} shares.`);
  }
  const length = shares[0]?.length;
  const seen = new Set<number>();
  for (const [i, share] of shares.entries()) {
    if (!(share instanceof Uint8Array) || share.length < 2 || share.length > maxSecretSize + 1) {
      throw new InvalidInputError(`Invalid share ${i}: expected 2 to ${maxSecretSize + 1} bytes.`);
    }
    if (share.length !== length) throw new InvalidInputError('Invalid shares: not all of the same length.');
    const index = shareIndex(share);
    if (index === 0) throw new InvalidInputError(`Invalid share ${i}: index 0.`);
    if (seen.has(index)) throw new InvalidInputError(`Invalid shares: index ${index} appears twice.`);
    seen.add(index);
  }
  if (shares.length === 1) return shares[0]!.slice(0, -1);
  return combine(shares.map((share) => new Uint8Array(share)));
}

/**
 * The index (x coordinate, 1..255) of a share: its last byte.
 *
 * @example
 * shareIndex(shares[0]); // e.g. 173
 */
export function shareIndex(share: Uint8Array): number {
  const index = share[share.length - 1];
  if (index === undefined) throw new InvalidInputError('Invalid share: empty.');
  return index;
}

/**
 * Checks `shares` (n) and `threshold` (k) against the limits of the module comment; throws
 * `InvalidInputError`.
 *
 * @example
 * checkShareParameters(3, 2); // ok
 */
export function checkShareParameters(shares: number, threshold: number): void {
  if (!Number.isSafeInteger(shares) || shares < 2 || shares > maxShares) {
    throw new InvalidInputError(`Invalid number of shares: expected 2 to ${maxShares}, got ${shares}.`);
  }
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > shares) {
    throw new InvalidInputError(
      `Invalid threshold: expected 1 to the number of shares (${shares}), got ${threshold}.`,
    );
  }
}
