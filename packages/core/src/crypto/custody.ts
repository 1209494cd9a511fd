/**
 * k-of-n custody of a record's data key (design flow 4, "Reading").
 *
 * A v2 envelope (`sealRecord` with `custody`) seals share i of the data key to custodian i. To
 * read, a requester asks custodians; each one that the chain authorises opens its sealed share
 * and reseals it to the requester (`resealShare`), bound to the record id and the share index.
 * The requester opens at least k resealed shares, combines them (`shamir.ts`) and checks that the
 * result decrypts the record (`openDataKeyFromShares`, `openRecordFromShares`): Shamir shares are
 * not authenticated, so a wrong share would otherwise yield a wrong key silently; with AES-GCM
 * the record's own tag is the check.
 *
 * No single custodian learns the key (for k ≥ 2); fewer than k shares reveal nothing about it.
 */
import type { Hex } from 'viem';
import { equalBytes, hexToBytes } from '../bytes.ts';
import { AccessDeniedError, IntegrityError, InvalidInputError, NotFoundError } from '../errors.ts';
import { keyShareValueSize, openKeyShare, type SealedKeyShare, sealKeyShare } from './custodyShare.ts';
import {
  type Envelope,
  type EnvelopeV2,
  openRecord,
  parseEnvelope,
  type WrappedKeyShare,
} from './envelope.ts';
import { type HpkePublicKey, type HpkeSecretKey, hpkePublicKeyBytes, importHpkeSecretKey } from './hpke.ts';
import { combineShares } from './shamir.ts';

export { type KeyShareContext, keyShareAad, keyShareInfo, type SealedKeyShare } from './custodyShare.ts';

/** A share resealed by its custodian to a reader: the index in clear, the y values sealed. */
export type ResealedShare = SealedKeyShare;

export type ResealShareErrorType = InvalidInputError | IntegrityError | NotFoundError;
export type OpenDataKeyFromSharesErrorType = InvalidInputError | IntegrityError | AccessDeniedError;

/** Subsets of k shares tried at most when more than k were given and together they do not fit. */
const maxSubsetTrials = 256;

/**
 * What a custodian does for an authorised reader: opens its sealed share of the record's data
 * key with its secret key and seals it to the reader's public key (HPKE, bound to the record id
 * threshold and share index). The custodian never holds the whole key.
 *
 * @example
 * const resealed = await resealShare(blob, { id: 'org-1' }, orgSecretKey, reader.encryptionKey);
 */
export async function resealShare(
  envelope: Uint8Array | Envelope,
  custodian: { id: string },
  custodianSecretKey: Hex | Uint8Array | HpkeSecretKey,
  readerPublicKey: Hex | Uint8Array | HpkePublicKey,
): Promise<ResealedShare> {
  const parsed = custodyEnvelope(envelope);
  const entry = shareEntryOf(parsed, custodian.id);
  const key =
    typeof custodianSecretKey === 'object' && !(custodianSecretKey instanceof Uint8Array)
      ? custodianSecretKey
      : await importHpkeSecretKey(custodianSecretKey);
  if (!equalBytes(await hpkePublicKeyBytes(key), hexToBytes(entry.publicKey))) {
    throw new InvalidInputError('The secret key does not match the public key of this custodian.', {
      metaMessages: [`Custodian: ${entry.id}`, `Custodian public key: ${entry.publicKey}`],
    });
  }
  const context = { recordId: parsed.meta.recordId, threshold: parsed.custody.threshold };
  const value = await openKeyShare(entry, key, context);
  try {
    return await sealKeyShare(value, entry.share, readerPublicKey, context);
  } finally {
    value.fill(0);
  }
}

/**
 * Rebuilds a record's data key from shares resealed to the reader (`resealShare`), and checks
 * that it decrypts the record. Throws `AccessDeniedError` ("need k shares, got m") with fewer than
 * k distinct shares, `IntegrityError` when a share does not open (sealed for another record,
 * index or key, or tampered with) or when the shares do not combine to the record's key.
 *
 * @example
 * const dataKey = await openDataKeyFromShares(blob, [fromOrg1, fromOrg3], identity.encryption.secretKey);
 * const plaintext = openRecord(blob, dataKey);
 */
export async function openDataKeyFromShares(
  envelope: Uint8Array | Envelope,
  shares: readonly ResealedShare[],
  readerSecretKey: Hex | Uint8Array | HpkeSecretKey,
): Promise<Uint8Array> {
  return (await openRecordFromShares(envelope, shares, readerSecretKey)).dataKey;
}

/**
 * `openDataKeyFromShares` that also returns the plaintext it decrypted to check the key, so
 * that a reader decrypts the record once.
 *
 * @example
 * const { plaintext } = await openRecordFromShares(blob, resealedShares, identity.encryption.secretKey);
 */
export async function openRecordFromShares(
  envelope: Uint8Array | Envelope,
  shares: readonly ResealedShare[],
  readerSecretKey: Hex | Uint8Array | HpkeSecretKey,
): Promise<{ dataKey: Uint8Array; plaintext: Uint8Array }> {
  const parsed = custodyEnvelope(envelope);
  const { threshold } = parsed.custody;
  const recordId = parsed.meta.recordId;
  if (!Array.isArray(shares)) throw new InvalidInputError('Invalid shares: expected an array.');
  const known = new Set(parsed.keys.flatMap((k) => ('share' in k ? [k.share] : [])));
  const distinct = new Map<number, ResealedShare>();
  for (const [i, share] of shares.entries()) {
    if (typeof share !== 'object' || share === null || !known.has(share.share)) {
      throw new InvalidInputError(`Invalid share ${i}: no share with this index in the envelope.`, {
        metaMessages: [`Index: ${String(share?.share)}`, `Record: ${recordId}`],
      });
    }
    if (!(share.enc instanceof Uint8Array) || !(share.ct instanceof Uint8Array)) {
      throw new InvalidInputError(`Invalid share ${i}: enc and ct must be bytes.`);
    }
    const previous = distinct.get(share.share);
    if (previous && !(equalBytes(previous.enc, share.enc) && equalBytes(previous.ct, share.ct))) {
      throw new InvalidInputError(`Invalid shares: two different shares with index ${share.share}.`);
    }
    distinct.set(share.share, share);
  }
  if (distinct.size < threshold) {
    throw new AccessDeniedError(`Not enough key shares: need ${threshold} shares, got ${distinct.size}.`, {
      metaMessages: [`Record: ${recordId}`],
    });
  }
  const key =
    typeof readerSecretKey === 'object' && !(readerSecretKey instanceof Uint8Array)
      ? readerSecretKey
      : await importHpkeSecretKey(readerSecretKey);
  // Every share given must open: a share that does not is sealed for another record, index or
  // reader, or was tampered with, and the reader should know which.
  const opened: Uint8Array[] = [];
  for (const share of distinct.values()) {
    let value: Uint8Array;
    try {
      value = await openKeyShare(share, key, { recordId, threshold });
    } catch (cause) {
      if (cause instanceof IntegrityError) {
        throw new IntegrityError(`The key share with index ${share.share} does not open.`, {
          cause,
          metaMessages: [
            'It was sealed for another record, threshold, index or reader, or it was tampered with.',
            `Record: ${recordId}`,
          ],
        });
      }
      throw cause;
    }
    const full = new Uint8Array(keyShareValueSize + 1);
    full.set(value);
    full[keyShareValueSize] = share.share;
    value.fill(0);
    opened.push(full);
  }
  try {
    const attempt = await tryCombine(parsed, opened);
    if (attempt) return attempt;
    // More than k shares that do not fit together: one or more custodians sent a wrong (but
    // well-sealed) share. Look for k that do.
    if (opened.length > threshold) {
      let trials = 0;
      for (const subset of subsets(opened, threshold)) {
        if (++trials > maxSubsetTrials) break;
        const found = await tryCombine(parsed, subset);
        if (found) return found;
      }
    }
  } finally {
    for (const share of opened) share.fill(0);
  }
  throw new IntegrityError("The key shares do not combine to the record's key.", {
    metaMessages: [`Record: ${recordId}`, `Shares: ${[...distinct.keys()].join(', ')}`],
  });
}

async function tryCombine(
  envelope: EnvelopeV2,
  shares: Uint8Array[],
): Promise<{ dataKey: Uint8Array; plaintext: Uint8Array } | undefined> {
  const dataKey = await combineShares(shares);
  try {
    return { dataKey, plaintext: openRecord(envelope, dataKey) };
  } catch (error) {
    dataKey.fill(0);
    if (error instanceof IntegrityError) return undefined;
    throw error;
  }
}

function* subsets<T>(items: readonly T[], size: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === size) {
    yield [...prefix];
    return;
  }
  for (let i = start; i <= items.length - (size - prefix.length); i++) {
    prefix.push(items[i]!);
    yield* subsets(items, size, i + 1, prefix);
    prefix.pop();
  }
}

function custodyEnvelope(envelope: Uint8Array | Envelope): EnvelopeV2 {
  const parsed = envelope instanceof Uint8Array ? parseEnvelope(envelope) : envelope;
  if (parsed.v !== 2) {
    throw new InvalidInputError(
      'The envelope has no k-of-n custody (version 1): custodians hold the whole key.',
      {
        metaMessages: [`Record: ${parsed.meta.recordId}`],
      },
    );
  }
  return parsed;
}

function shareEntryOf(envelope: EnvelopeV2, id: string): WrappedKeyShare {
  const wanted = /^0x[0-9a-fA-F]{40}$/.test(id) ? id.toLowerCase() : id;
  const entry = envelope.keys.find(
    (k): k is WrappedKeyShare => k.kind === 'custodian' && 'share' in k && k.id === wanted,
  );
  if (!entry) {
    throw new NotFoundError('The envelope has no key share for this custodian.', {
      metaMessages: [`Custodian: ${id}`, `Record: ${envelope.meta.recordId}`],
    });
  }
  return entry;
}
