/**
 * HPKE (RFC 9180), base mode, suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM.
 *
 * `@hpke/core` does the protocol (KEM encapsulation, key schedule, nonces, validation). Its
 * stock algorithms make one asynchronous WebCrypto call per HMAC and AES operation, each a
 * thread-pool round trip (about 0.3 ms in Node 24); a seal made nine of them. Here the suite
 * plugs in, through `@hpke/core`'s own extension interfaces, noble's synchronous HKDF-SHA256
 * and AES-256-GCM, and keeps native WebCrypto X25519 (much faster than X25519 in JavaScript).
 * The RFC 9180 test vectors and an interoperability test against the stock suite check the
 * result (hpke.test.ts).
 *
 * Keys can be passed as hex or bytes. Imported public keys are cached (they are not secret);
 * import a secret key once with `importHpkeSecretKey` and reuse it to save its import and public
 * key derivation on every open.
 */
import {
  type AeadEncryptionContext,
  Aes256Gcm,
  CipherSuite,
  DecapError,
  DeserializeError,
  DhkemX25519HkdfSha256,
  EncapError,
  HkdfSha256,
  OpenError,
} from '@hpke/core';
import { gcm } from '@noble/ciphers/aes.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Hex } from 'viem';
import { base64urlToBytes, bytesToHex } from '../bytes.ts';
import { CryptoError, IntegrityError, InvalidInputError } from '../errors.ts';
import { keyBytes } from './keys.ts';

type BufferInput = ArrayBufferLike | ArrayBufferView;

/** HPKE's HKDF-SHA256 (labels from `@hpke/core`) computed with noble instead of WebCrypto HMAC. */
class NobleHkdfSha256 extends HkdfSha256 {
  override async extract(salt: BufferInput, ikm: BufferInput): Promise<ArrayBuffer> {
    const saltBytes = asBytes(salt);
    return asBuffer(extract(sha256, asBytes(ikm), saltBytes.length === 0 ? undefined : saltBytes));
  }
  override async expand(prk: BufferInput, info: BufferInput, length: number): Promise<ArrayBuffer> {
    return asBuffer(expand(sha256, asBytes(prk), asBytes(info), length));
  }
  override async extractAndExpand(
    salt: BufferInput,
    ikm: BufferInput,
    info: BufferInput,
    length: number,
  ): Promise<ArrayBuffer> {
    return this.expand(await this.extract(salt, ikm), info, length);
  }
}

/** HPKE's AES-256-GCM (id 0x0002) computed with noble instead of WebCrypto. */
class NobleAes256Gcm extends Aes256Gcm {
  override createEncryptionContext(key: BufferInput): AeadEncryptionContext {
    const rawKey = asBytes(key).slice();
    return {
      seal: async (iv, data, aad) => asBuffer(gcm(rawKey, asBytes(iv), asBytes(aad)).encrypt(asBytes(data))),
      open: async (iv, data, aad) => asBuffer(gcm(rawKey, asBytes(iv), asBytes(aad)).decrypt(asBytes(data))),
    };
  }
}

/** DHKEM(X25519, HKDF-SHA256) with native X25519 and the noble HKDF above. */
class FastDhkemX25519HkdfSha256 extends DhkemX25519HkdfSha256 {
  constructor() {
    super();
    const kdf = new NobleHkdfSha256();
    kdf.init(kemSuiteId);
    this._kdf = kdf;
  }
}

/** suite_id of the KEM: "KEM" || I2OSP(0x0020, 2) (RFC 9180 §4.1). */
const kemSuiteId = new Uint8Array([0x4b, 0x45, 0x4d, 0x00, 0x20]);

/** The shared cipher suite. Exported for the known-answer tests; use the functions below. */
export const hpkeSuite = new CipherSuite({
  kem: new FastDhkemX25519HkdfSha256(),
  kdf: new NobleHkdfSha256(),
  aead: new NobleAes256Gcm(),
});

/** A recipient public key imported for reuse. */
export type HpkePublicKey = { readonly type: 'hpke-public-key'; readonly cryptoKey: CryptoKey };
/** A recipient secret key imported for reuse (with its public key, which decapsulation needs). */
export type HpkeSecretKey = { readonly type: 'hpke-secret-key'; readonly keyPair: CryptoKeyPair };

/** The output of a seal: the encapsulated key (32 bytes) and the ciphertext (plaintext + 16). */
export type HpkeSealed = { enc: Uint8Array; ciphertext: Uint8Array };

export type HpkeOptions = {
  /** Application info bound into the key schedule (domain separation). */
  info?: Uint8Array;
  /** Associated data authenticated with the ciphertext. */
  aad?: Uint8Array;
};

export type SealToPublicKeyErrorType = InvalidInputError | CryptoError;
export type OpenWithSecretKeyErrorType = InvalidInputError | IntegrityError | CryptoError;

const empty = new Uint8Array(0);

/**
 * Imports an X25519 public key (32 bytes); remembered for the next calls with the same key.
 *
 * @example
 * const custodian = await importHpkePublicKey(organisation.encryptionKey);
 */
export async function importHpkePublicKey(publicKey: Hex | Uint8Array): Promise<HpkePublicKey> {
  const raw = keyBytes(publicKey, 'encryption public key');
  const cacheKey = bytesToHex(raw);
  const cached = publicKeyCache.get(cacheKey);
  if (cached) return cached;
  const imported = hpkeSuite.kem.deserializePublicKey(raw).then(
    (cryptoKey): HpkePublicKey => ({ type: 'hpke-public-key', cryptoKey }),
    (cause) => {
      publicKeyCache.delete(cacheKey);
      throw new InvalidInputError('Invalid encryption public key.', { cause });
    },
  );
  if (publicKeyCache.size >= publicKeyCacheSize) {
    const oldest = publicKeyCache.keys().next().value;
    if (oldest !== undefined) publicKeyCache.delete(oldest);
  }
  publicKeyCache.set(cacheKey, imported);
  return imported;
}

/**
 * Imported public keys by hex, oldest first: the same few custodian and patient keys are sealed to
 * over and over. Public keys only; secret keys are never cached.
 */
const publicKeyCache = new Map<Hex, Promise<HpkePublicKey>>();
const publicKeyCacheSize = 1024;

/**
 * Imports an X25519 secret key (32 bytes) once, for many opens.
 *
 * @example
 * const mine = await importHpkeSecretKey(identity.encryption.secretKey);
 */
export async function importHpkeSecretKey(secretKey: Hex | Uint8Array): Promise<HpkeSecretKey> {
  const raw = keyBytes(secretKey, 'encryption secret key');
  try {
    const privateKey = await hpkeSuite.kem.deserializePrivateKey(raw);
    const publicKey = await hpkeSuite.kem.deserializePublicKey(await publicKeyBytesOf(privateKey, raw));
    return { type: 'hpke-secret-key', keyPair: { privateKey, publicKey } };
  } catch (cause) {
    throw new InvalidInputError('Invalid encryption secret key.', { cause });
  }
}

/**
 * Encrypts `plaintext` to the holder of the X25519 secret key of `recipientPublicKey`.
 *
 * @example
 * const sealed = await sealToPublicKey(publicKey, dataKey, { info: utf8ToBytes('my app v1'), aad: recordId });
 */
export async function sealToPublicKey(
  recipientPublicKey: Hex | Uint8Array | HpkePublicKey,
  plaintext: Uint8Array,
  options: HpkeOptions = {},
): Promise<HpkeSealed> {
  const recipient = isImported(recipientPublicKey)
    ? recipientPublicKey
    : await importHpkePublicKey(recipientPublicKey);
  try {
    const { enc, ct } = await hpkeSuite.seal(
      { recipientPublicKey: recipient.cryptoKey, info: options.info ?? empty },
      plaintext,
      options.aad ?? empty,
    );
    return { enc: new Uint8Array(enc), ciphertext: new Uint8Array(ct) };
  } catch (cause) {
    // A low-order public key makes the X25519 shared secret all zero, which WebCrypto refuses.
    if (cause instanceof EncapError)
      throw new InvalidInputError('Unusable encryption public key.', { cause });
    throw new CryptoError('HPKE seal failed.', { cause });
  }
}

/**
 * Decrypts a sealed message with the recipient's X25519 secret key. Throws `IntegrityError` when
 * the ciphertext, `enc`, `info` or `aad` differ from what was sealed, or the key is not the
 * recipient's.
 *
 * @example
 * const dataKey = await openWithSecretKey(secretKey, sealed, { info, aad: recordId });
 */
export async function openWithSecretKey(
  secretKey: Hex | Uint8Array | HpkeSecretKey,
  sealed: HpkeSealed,
  options: HpkeOptions = {},
): Promise<Uint8Array> {
  const recipient = isImported(secretKey) ? secretKey : await importHpkeSecretKey(secretKey);
  if (sealed.enc.length !== hpkeSuite.kem.encSize) {
    throw new IntegrityError(
      `Invalid HPKE enc: expected ${hpkeSuite.kem.encSize} bytes, got ${sealed.enc.length}.`,
    );
  }
  try {
    const plaintext = await hpkeSuite.open(
      { recipientKey: recipient.keyPair, enc: sealed.enc, info: options.info ?? empty },
      sealed.ciphertext,
      options.aad ?? empty,
    );
    return new Uint8Array(plaintext);
  } catch (cause) {
    if (cause instanceof OpenError || cause instanceof DecapError || cause instanceof DeserializeError) {
      throw new IntegrityError('HPKE open failed: wrong key, or tampered ciphertext or context.', { cause });
    }
    throw new CryptoError('HPKE open failed.', { cause });
  }
}

/**
 * The raw public key of an imported X25519 private key: natively through its JWK (`x`), or with
 * noble where the platform cannot export it (some Firefox versions).
 */
async function publicKeyBytesOf(privateKey: CryptoKey, raw: Uint8Array): Promise<Uint8Array> {
  try {
    const { x } = await globalThis.crypto.subtle.exportKey('jwk', privateKey);
    if (x) return base64urlToBytes(x);
  } catch {
    // fall through to the portable path
  }
  return x25519.getPublicKey(raw);
}

function isImported<T extends HpkePublicKey | HpkeSecretKey>(key: Hex | Uint8Array | T): key is T {
  return typeof key === 'object' && !(key instanceof Uint8Array);
}

function asBytes(input: BufferInput): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  return new Uint8Array(input);
}

function asBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}
