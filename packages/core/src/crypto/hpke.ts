/**
 * HPKE (RFC 9180), base mode, suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM.
 *
 * `@hpke/core` does the protocol (KEM encapsulation, key schedule, nonces, validation). Its
 * stock algorithms make one asynchronous WebCrypto call per HMAC, AES and X25519 operation, each
 * a thread-pool round trip (about 0.3 ms in Node 24); a seal made nine of them. Here the suite
 * plugs in, through `@hpke/core`'s own extension interfaces, noble's synchronous HKDF-SHA256 and
 * AES-256-GCM, and for X25519 (the KEM's `DhkemPrimitives`):
 * - in Node (≥ 22.3), OpenSSL's synchronous X25519 from `node:crypto`, loaded at run time with
 *   `process.getBuiltinModule` (no static `node:` import: this module also runs in browsers);
 * - elsewhere, `@hpke/core`'s stock WebCrypto X25519.
 * Both produce the same bytes. The RFC 9180 test vectors, run under both backends, and
 * interoperability tests between the backends and against the stock suite check the result
 * (hpke.test.ts).
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
  DeriveKeyPairError,
  DeserializeError,
  DhkemX25519HkdfSha256,
  EncapError,
  HkdfSha256,
  NotSupportedError,
  OpenError,
  SerializeError,
} from '@hpke/core';
import { gcm } from '@noble/ciphers/aes.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Hex } from 'viem';
import { base64urlToBytes, bytesToBase64url, bytesToHex, utf8ToBytes } from '../bytes.ts';
import { CryptoError, IntegrityError, InvalidInputError } from '../errors.ts';
import { keyBytes } from './keys.ts';

type BufferInput = ArrayBufferLike | ArrayBufferView;
type NodeCrypto = typeof import('node:crypto');
type KeyObject = import('node:crypto').KeyObject;

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
    const rawKey = copyOf(asBytes(key));
    return {
      seal: async (iv, data, aad) => asBuffer(gcm(rawKey, asBytes(iv), asBytes(aad)).encrypt(asBytes(data))),
      open: async (iv, data, aad) => asBuffer(gcm(rawKey, asBytes(iv), asBytes(aad)).decrypt(asBytes(data))),
    };
  }
}

/**
 * `node:crypto` where the platform has it (Node ≥ 22.3), without a static import. Undefined in
 * browsers (and where a bundler's `process` shim has no `getBuiltinModule`).
 */
const nodeCrypto: NodeCrypto | undefined = (() => {
  try {
    return globalThis.process?.getBuiltinModule?.('node:crypto');
  } catch {
    return undefined;
  }
})();

/**
 * How X25519 keys travel between bytes and OpenSSL key objects: `raw`, the raw key formats of
 * newer Node versions (24.x), when this Node has them; `portable`, JWK for public keys and
 * PKCS #8 for secret keys (slower to parse), for older ones. Exported for the tests.
 */
export type NodeX25519Codec = {
  importPublic(raw: Uint8Array): KeyObject;
  importPrivate(raw: Uint8Array): KeyObject;
  exportPublic(key: KeyObject): Uint8Array;
  exportPrivate(key: KeyObject): Uint8Array;
};

export function nodeX25519Codecs(crypto: NodeCrypto): { raw?: NodeX25519Codec; portable: NodeX25519Codec } {
  const asymmetricKeyType = 'x25519';
  const raw: NodeX25519Codec = {
    // node:crypto takes any Uint8Array (its types ask for a Buffer).
    importPublic: (key) =>
      crypto.createPublicKey({ key: key as Buffer, format: 'raw-public', asymmetricKeyType }),
    importPrivate: (key) =>
      crypto.createPrivateKey({ key: key as Buffer, format: 'raw-private', asymmetricKeyType }),
    exportPublic: (key) => key.export({ format: 'raw-public' }),
    exportPrivate: (key) => key.export({ format: 'raw-private' }),
  };
  const jwkBytes = (value: string | undefined) => {
    if (value === undefined) throw new Error('Not an X25519 key');
    return base64urlToBytes(value, 'JWK key');
  };
  const portable: NodeX25519Codec = {
    importPublic: (key) =>
      crypto.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: bytesToBase64url(key) }, format: 'jwk' }),
    importPrivate: (key) => {
      const der = new Uint8Array(pkcs8PrefixX25519.length + key.length);
      der.set(pkcs8PrefixX25519);
      der.set(key, pkcs8PrefixX25519.length);
      return crypto.createPrivateKey({ key: der as Buffer, format: 'der', type: 'pkcs8' });
    },
    exportPublic: (key) => jwkBytes(key.export({ format: 'jwk' }).x),
    exportPrivate: (key) => jwkBytes(key.export({ format: 'jwk' }).d),
  };
  let rawSupported: boolean;
  try {
    const basePoint = new Uint8Array(32);
    basePoint[0] = 9; // u = 9
    rawSupported = raw.exportPublic(raw.importPublic(basePoint))[0] === 9;
  } catch {
    rawSupported = false; // Node without the raw key formats
  }
  return rawSupported ? { raw, portable } : { portable };
}

/** PKCS #8 PrivateKeyInfo of an X25519 key (RFC 8410) up to its 32 key bytes. */
const pkcs8PrefixX25519 = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);
const kemUsages: KeyUsage[] = ['deriveBits'];

/**
 * An X25519 key held by OpenSSL, typed as the `CryptoKey` that `@hpke/core`'s interfaces carry
 * (like `@hpke/common`'s `XCryptoKey`). A public key keeps its 32 bytes (serialized into every
 * KEM context).
 */
class NodeX25519Key implements CryptoKey {
  readonly algorithm = { name: 'X25519' };
  readonly extractable = true;
  readonly type: 'public' | 'private';
  readonly usages: KeyUsage[];
  readonly keyObject: KeyObject;
  readonly publicBytes: Uint8Array | undefined;

  constructor(keyObject: KeyObject, publicBytes?: Uint8Array) {
    this.keyObject = keyObject;
    this.type = publicBytes ? 'public' : 'private';
    this.usages = publicBytes ? [] : kemUsages;
    this.publicBytes = publicBytes;
  }
}

/**
 * The X25519 primitives of DHKEM(X25519, HKDF-SHA256) (`@hpke/core`'s `DhkemPrimitives` contract)
 * on Node's synchronous, OpenSSL-backed `node:crypto`: no thread-pool round trip per operation.
 * Errors are those of `@hpke/core`'s own X25519 primitives.
 */
class NodeX25519Primitives {
  readonly #crypto: NodeCrypto;
  readonly #codec: NodeX25519Codec;
  readonly #hkdf: NobleHkdfSha256;

  constructor(crypto: NodeCrypto, kemKdf: NobleHkdfSha256) {
    this.#crypto = crypto;
    const codecs = nodeX25519Codecs(crypto);
    this.#codec = codecs.raw ?? codecs.portable;
    this.#hkdf = kemKdf;
  }

  async serializePublicKey(key: CryptoKey): Promise<ArrayBuffer> {
    try {
      return asBuffer(copyOf(this.#publicBytes(key)));
    } catch (e) {
      throw new SerializeError(e);
    }
  }

  async deserializePublicKey(key: BufferInput): Promise<CryptoKey> {
    try {
      return this.#importRaw(asBytes(key), true);
    } catch (e) {
      throw new DeserializeError(e);
    }
  }

  async serializePrivateKey(key: CryptoKey): Promise<ArrayBuffer> {
    try {
      return asBuffer(copyOf(this.#codec.exportPrivate(nodeKey(key, 'private').keyObject)));
    } catch (e) {
      throw new SerializeError(e);
    }
  }

  async deserializePrivateKey(key: BufferInput): Promise<CryptoKey> {
    try {
      return this.#importRaw(asBytes(key), false);
    } catch (e) {
      throw new DeserializeError(e);
    }
  }

  async importKey(
    format: 'raw' | 'jwk',
    key: ArrayBuffer | JsonWebKey,
    isPublic: boolean,
  ): Promise<CryptoKey> {
    try {
      if (format === 'raw') {
        if (!(key instanceof ArrayBuffer)) throw new Error('Invalid raw key format');
        return this.#importRaw(new Uint8Array(key), isPublic);
      }
      if (key instanceof ArrayBuffer) throw new Error('Invalid jwk key format');
      if (key.kty !== 'OKP') throw new Error(`Invalid kty: ${key.kty}`);
      if (key.crv !== 'X25519') throw new Error(`Invalid crv: ${key.crv}`);
      if (isPublic && key.d !== undefined) throw new Error('Invalid key: `d` should not be set');
      const value = isPublic ? key.x : key.d;
      if (typeof value !== 'string') throw new Error(`Invalid key: \`${isPublic ? 'x' : 'd'}\` not found`);
      return this.#importRaw(base64urlToBytes(value, 'JWK key'), isPublic);
    } catch (e) {
      throw new DeserializeError(e);
    }
  }

  async generateKeyPair(): Promise<CryptoKeyPair> {
    try {
      const { privateKey, publicKey } = this.#crypto.generateKeyPairSync('x25519');
      return {
        privateKey: new NodeX25519Key(privateKey),
        publicKey: new NodeX25519Key(publicKey, copyOf(this.#codec.exportPublic(publicKey))),
      };
    } catch (e) {
      throw new NotSupportedError(e);
    }
  }

  /** DeriveKeyPair (RFC 9180 §7.1.3), with the KEM's labeled HKDF. */
  async deriveKeyPair(ikm: BufferInput): Promise<CryptoKeyPair> {
    try {
      const dkpPrk = await this.#hkdf.labeledExtract(new Uint8Array(0), labelDkpPrk, asBytes(ikm));
      const sk = new Uint8Array(await this.#hkdf.labeledExpand(dkpPrk, labelSk, new Uint8Array(0), 32));
      const privateKey = this.#importRaw(sk, false);
      sk.fill(0);
      return { privateKey, publicKey: await this.derivePublicKey(privateKey) };
    } catch (e) {
      throw new DeriveKeyPairError(e);
    }
  }

  async derivePublicKey(key: CryptoKey): Promise<CryptoKey> {
    try {
      const publicKey = this.#crypto.createPublicKey(nodeKey(key, 'private').keyObject);
      return new NodeX25519Key(publicKey, copyOf(this.#codec.exportPublic(publicKey)));
    } catch (e) {
      throw new DeserializeError(e);
    }
  }

  /**
   * X25519(sk, pk). OpenSSL refuses an all-zero result (a low-order public key), as RFC 9180
   * §7.1.4 requires; checked here again so that the rule does not rest on the platform alone.
   */
  async dh(sk: CryptoKey, pk: CryptoKey): Promise<ArrayBuffer> {
    try {
      const shared = this.#crypto.diffieHellman({
        privateKey: nodeKey(sk, 'private').keyObject,
        publicKey: nodeKey(pk, 'public').keyObject,
      });
      if (shared.every((byte) => byte === 0)) throw new Error('X25519 shared secret is all zero');
      return asBuffer(shared);
    } catch (e) {
      throw new SerializeError(e);
    }
  }

  #publicBytes(key: CryptoKey): Uint8Array {
    const { publicBytes } = nodeKey(key, 'public');
    if (!publicBytes) throw new Error('Not an X25519 public key');
    return publicBytes;
  }

  #importRaw(raw: Uint8Array, isPublic: boolean): NodeX25519Key {
    if (raw.length !== 32) throw new Error('Invalid length of the key');
    return isPublic
      ? new NodeX25519Key(this.#codec.importPublic(raw), copyOf(raw))
      : new NodeX25519Key(this.#codec.importPrivate(raw));
  }
}

function nodeKey(key: CryptoKey, type: 'public' | 'private'): NodeX25519Key {
  if (!(key instanceof NodeX25519Key)) {
    throw new Error('Not a key of the node X25519 backend (imported under another backend?)');
  }
  if (key.type !== type) throw new Error(`Not an X25519 ${type} key`);
  return key;
}

/** "dkp_prk" and "sk": labels of DeriveKeyPair (RFC 9180 §7.1.3). */
const labelDkpPrk = utf8ToBytes('dkp_prk');
const labelSk = utf8ToBytes('sk');

/** The X25519 backend of the suite: OpenSSL through `node:crypto`, or WebCrypto. */
export type HpkeBackend = 'node' | 'webcrypto';

/** DHKEM(X25519, HKDF-SHA256) with the noble HKDF above and the X25519 backend of the platform. */
class FastDhkemX25519HkdfSha256 extends DhkemX25519HkdfSha256 {
  readonly #primitives: { readonly [B in HpkeBackend]?: DhkemX25519HkdfSha256['_prim'] };
  #backend: HpkeBackend;

  constructor() {
    super();
    const kdf = new NobleHkdfSha256();
    kdf.init(kemSuiteId);
    this._kdf = kdf;
    // `@hpke/core`'s own WebCrypto X25519 (it derives key pairs with its WebCrypto HKDF, off the hot path).
    const webcrypto = this._prim;
    const node = nodeCrypto ? new NodeX25519Primitives(nodeCrypto, kdf) : undefined;
    this.#primitives = { webcrypto, node };
    this.#backend = node ? 'node' : 'webcrypto';
    this._prim = node ?? webcrypto;
  }

  get backend(): HpkeBackend {
    return this.#backend;
  }

  set backend(backend: HpkeBackend) {
    const primitives = this.#primitives[backend];
    if (!primitives) throw new CryptoError(`The ${backend} X25519 backend is not available here.`);
    this._prim = primitives;
    this.#backend = backend;
  }

  /** The public key of a secret key (native on Node; through a JWK, or the base point, on WebCrypto). */
  async derivePublicKey(secretKey: CryptoKey): Promise<CryptoKey> {
    return this._prim.derivePublicKey(secretKey);
  }
}

/** suite_id of the KEM: "KEM" || I2OSP(0x0020, 2) (RFC 9180 §4.1). */
const kemSuiteId = new Uint8Array([0x4b, 0x45, 0x4d, 0x00, 0x20]);

const kem = new FastDhkemX25519HkdfSha256();

/** The shared cipher suite. Exported for the known-answer tests; use the functions below. */
export const hpkeSuite = new CipherSuite({
  kem,
  kdf: new NobleHkdfSha256(),
  aead: new NobleAes256Gcm(),
});

/** The X25519 backend in use: `node` in Node ≥ 22.3, `webcrypto` elsewhere. */
export function hpkeBackend(): HpkeBackend {
  return kem.backend;
}

/**
 * Switches the X25519 backend (for tests and benchmarks; the default is the best available).
 * Keys imported before the switch cannot be used after it; the public key cache is emptied.
 *
 * @example
 * setHpkeBackend('webcrypto');
 */
export function setHpkeBackend(backend: HpkeBackend): void {
  kem.backend = backend;
  publicKeyCache.clear();
}

/**
 * The 32 bytes of the public key of an imported secret key.
 *
 * @example
 * bytesToHex(await hpkePublicKeyBytes(await importHpkeSecretKey(secretKey))) === publicKey; // true
 */
export async function hpkePublicKeyBytes(secretKey: HpkeSecretKey): Promise<Uint8Array> {
  return new Uint8Array(await hpkeSuite.kem.serializePublicKey(secretKey.keyPair.publicKey));
}

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
  if (cached) {
    // Most recently used last.
    publicKeyCache.delete(cacheKey);
    publicKeyCache.set(cacheKey, cached);
    return cached;
  }
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
 * Imported public keys by hex, least recently used first (a bounded LRU): the same few custodian
 * and patient keys are sealed to over and over. Public keys only; secret keys are never cached.
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
    const privateKey = await kem.deserializePrivateKey(raw);
    const publicKey = await kem.derivePublicKey(privateKey);
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

/** A copy as a plain Uint8Array (`Buffer#slice` would share memory). */
function copyOf(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
