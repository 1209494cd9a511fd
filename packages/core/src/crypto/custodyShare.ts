/**
 * Sealing one Shamir share of a record's data key with HPKE (`hpke.ts`): used by `sealRecord`
 * (share i sealed to custodian i inside a v2 envelope) and by `resealShare` (a custodian hands
 * its share to an authorised reader).
 *
 * What is sealed is the 32 y bytes of the share (`shamir.ts`), never the index: the index
 * (x coordinate, 1..255) travels in clear next to the ciphertext and is bound by the HPKE
 * associated data, with the threshold k of the split, so that a share cannot be moved to another
 * record, relabelled with another index, or used under another threshold:
 *
 *   info = UTF-8 "medledger/v2 key-share"   (distinct from the whole key's "medledger/v1 data-key")
 *   aad  = recordId (32 bytes) || threshold (1 byte) || index (1 byte)
 */
import type { Hex } from 'viem';
import { concatBytes, hexToBytes, utf8ToBytes } from '../bytes.ts';
import { IntegrityError, InvalidInputError } from '../errors.ts';
import { aesGcmKeySize } from './aead.ts';
import { type HpkePublicKey, type HpkeSecretKey, openWithSecretKey, sealToPublicKey } from './hpke.ts';

/** HPKE info of every sealed key share. */
export const keyShareInfo = utf8ToBytes('medledger/v2 key-share');

/** Size of the sealed part of a share of a data key (the y values). */
export const keyShareValueSize = aesGcmKeySize;

/** One share of a data key sealed to someone: its index in clear, the y values sealed. */
export type SealedKeyShare = { share: number; enc: Uint8Array; ct: Uint8Array };

/** What a sealed share is bound to. */
export type KeyShareContext = { recordId: Hex; threshold: number };

/**
 * The HPKE associated data of a share: the record id's 32 bytes, the threshold byte, the index byte.
 *
 * @example
 * keyShareAad({ recordId, threshold: 2 }, 7); // 34 bytes
 */
export function keyShareAad(context: KeyShareContext, index: number): Uint8Array {
  if (!isShareIndex(index)) throw new InvalidInputError('Invalid key share index: expected 1 to 255.');
  if (!isShareIndex(context.threshold)) throw new InvalidInputError('Invalid threshold: expected 1 to 255.');
  return concatBytes(hexToBytes(context.recordId, 32, 'record id'), Uint8Array.of(context.threshold, index));
}

/** Seals the y values of share `index` of a record's data key to a public key. */
export async function sealKeyShare(
  value: Uint8Array,
  index: number,
  recipientPublicKey: Hex | Uint8Array | HpkePublicKey,
  context: KeyShareContext,
): Promise<SealedKeyShare> {
  if (value.length !== keyShareValueSize) {
    throw new InvalidInputError(`Invalid key share: expected ${keyShareValueSize} bytes.`);
  }
  const sealed = await sealToPublicKey(recipientPublicKey, value, {
    info: keyShareInfo,
    aad: keyShareAad(context, index),
  });
  return { share: index, enc: sealed.enc, ct: sealed.ciphertext };
}

/**
 * Opens a sealed share; throws `IntegrityError` if it was sealed for another record, threshold,
 * index or key, or was tampered with. Returns the y values (32 bytes).
 */
export async function openKeyShare(
  sealed: SealedKeyShare,
  secretKey: Hex | Uint8Array | HpkeSecretKey,
  context: KeyShareContext,
): Promise<Uint8Array> {
  const value = await openWithSecretKey(
    secretKey,
    { enc: sealed.enc, ciphertext: sealed.ct },
    { info: keyShareInfo, aad: keyShareAad(context, sealed.share) },
  );
  if (value.length !== keyShareValueSize)
    throw new IntegrityError('The sealed key share has the wrong length.');
  return value;
}

/** True for a valid share index: an integer in 1..255. */
export function isShareIndex(index: unknown): index is number {
  return typeof index === 'number' && Number.isInteger(index) && index >= 1 && index <= 255;
}
