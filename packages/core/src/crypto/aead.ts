/**
 * AES-256-GCM (noble `gcm`) with a fresh random 96-bit nonce per encryption and associated data.
 * The nonce is random, so one key must not encrypt more than about 2^32 messages (NIST SP 800-38D
 * §8.3); medledger uses a fresh data key per record, far below that.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes } from '../bytes.ts';
import { IntegrityError, InvalidInputError } from '../errors.ts';

/** The output of an encryption: the nonce and the ciphertext with its 16-byte tag appended. */
export type AesGcmSealed = { iv: Uint8Array; ciphertext: Uint8Array };

export type DecryptAesGcmErrorType = InvalidInputError | IntegrityError;

export const aesGcmKeySize = 32;
export const aesGcmNonceSize = 12;
export const aesGcmTagSize = 16;

/**
 * Encrypts `plaintext` under a 32-byte key, authenticating `aad` with it.
 *
 * @example
 * const { iv, ciphertext } = encryptAesGcm(dataKey, plaintext, metadataBytes);
 */
export function encryptAesGcm(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): AesGcmSealed {
  checkKey(key);
  const iv = randomBytes(aesGcmNonceSize);
  return { iv, ciphertext: gcm(key, iv, aad).encrypt(plaintext) };
}

/**
 * Decrypts and authenticates. Throws `IntegrityError` if the ciphertext, tag, nonce or `aad`
 * differ from what was encrypted, or the key is wrong.
 *
 * @example
 * const plaintext = decryptAesGcm(dataKey, { iv, ciphertext }, metadataBytes);
 */
export function decryptAesGcm(key: Uint8Array, sealed: AesGcmSealed, aad?: Uint8Array): Uint8Array {
  checkKey(key);
  if (sealed.iv.length !== aesGcmNonceSize) {
    throw new IntegrityError(
      `Invalid AES-GCM nonce: expected ${aesGcmNonceSize} bytes, got ${sealed.iv.length}.`,
    );
  }
  if (sealed.ciphertext.length < aesGcmTagSize) {
    throw new IntegrityError('Invalid AES-GCM ciphertext: shorter than its tag.');
  }
  try {
    return gcm(key, sealed.iv, aad).decrypt(sealed.ciphertext);
  } catch (cause) {
    throw new IntegrityError('AES-GCM authentication failed: wrong key, or tampered ciphertext or data.', {
      cause,
    });
  }
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== aesGcmKeySize) {
    throw new InvalidInputError(`Invalid AES-256-GCM key: expected ${aesGcmKeySize} bytes.`);
  }
}
