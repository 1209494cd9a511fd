/**
 * The encrypted record envelope: the blob stored off chain (content-addressed by its CID).
 *
 * A fresh 32-byte data key per record encrypts the plaintext with AES-256-GCM; the associated
 * data is the canonical encoding of the metadata (`metadataAad`). The data key is sealed with
 * HPKE (`hpke.ts`) to each recipient's X25519 public key, with info = UTF-8
 * "medledger/v1 data-key" and aad = the 32 bytes of the record id.
 *
 * Serialization: UTF-8 JSON, no whitespace, keys in exactly this order, binary fields unpadded
 * base64url, hex fields lower case:
 *
 *   {"v":1,"alg":"A256GCM","kem":"X25519-HKDF-SHA256",
 *    "meta":{"recordId","patient","author","category","sensitivity","supersedes","createdAt"},
 *    "iv","ct","keys":[{"kind","id","publicKey","enc","ct"},…]}
 *
 * Version 2 (k-of-n custody, `sealRecord` with `custody`) differs in three places: `"v":2`, a
 * `"custody":{"threshold":k}` member between `meta` and `iv`, and custodian key entries that carry
 * a Shamir share of the data key instead of the key itself:
 *
 *   {"v":2,"alg":"A256GCM","kem":"X25519-HKDF-SHA256","meta":{…},"custody":{"threshold":k},
 *    "iv","ct","keys":[{"kind":"patient","id","publicKey","enc","ct"},
 *                      {"kind":"custodian","id","publicKey","share","enc","ct"},…]}
 *
 * `share` is the share's index (its Shamir x coordinate, an integer 1..255, unique in the
 * envelope) and `ct` seals the share's 32 y bytes with HPKE, info = UTF-8
 * "medledger/v2 key-share", aad = record id (32 bytes) || threshold (1 byte) || index (1 byte)
 * (`custodyShare.ts`), so the threshold and the indexes are authenticated by the custodians' keys.
 * Every custodian entry of a v2 envelope holds a share (2 ≤ n ≤ 16, 1 ≤ k ≤ n); patient entries
 * hold the whole data key exactly as in v1. Without `custody`, `sealRecord` writes v1 unchanged.
 *
 * `parseEnvelope` accepts only those exact forms (it re-serializes and compares), so an envelope
 * has a single byte string and a single CID. Only the ciphertexts are authenticated by the keys;
 * the recipient labels (`kind`, `id`, `publicKey`) are protected, like every other byte, by the
 * CID that the signed, anchored record carries.
 */
import type { Address, Hex } from 'viem';
import {
  base64urlToBytes,
  bytesToBase64url,
  bytesToHex,
  bytesToUtf8,
  equalBytes,
  hexToBytes,
  isLowerHex,
  randomBytes,
  utf8ToBytes,
} from '../bytes.ts';
import { IntegrityError, InvalidInputError, NotFoundError } from '../errors.ts';
import { type Category, categories, type Sensitivity, sensitivities } from '../vocabulary.ts';
import { aesGcmKeySize, aesGcmNonceSize, aesGcmTagSize, decryptAesGcm, encryptAesGcm } from './aead.ts';
import { isShareIndex, keyShareValueSize, sealKeyShare } from './custodyShare.ts';
import {
  type HpkePublicKey,
  type HpkeSecretKey,
  hpkePublicKeyBytes,
  importHpkeSecretKey,
  openWithSecretKey,
  sealToPublicKey,
} from './hpke.ts';
import { checkShareParameters, maxShares, shareIndex, splitSecret } from './shamir.ts';

/** What the envelope says about its record; authenticated as the AES-GCM associated data. */
export type EnvelopeMetadata = {
  /** 32 bytes, `0x` hex. */
  recordId: Hex;
  patient: Address;
  author: Address;
  category: Category;
  sensitivity: Sensitivity;
  /** The record this one amends, or 32 zero bytes. */
  supersedes: Hex;
  /** Unix seconds. */
  createdAt: number;
};

export type RecipientKind = 'patient' | 'custodian';

/** Who can unwrap the data key: the record's patient, or a custodian (address or organisation id). */
export type Recipient = { kind: RecipientKind; id: string; publicKey: Hex };

/** A data key sealed with HPKE: the encapsulated key and the ciphertext of the key. */
export type SealedDataKey = { enc: Uint8Array; ct: Uint8Array };

export type WrappedDataKey = Recipient & SealedDataKey;

/** A custodian's entry in a v2 envelope: share `share` (its index, 1..255) of the data key, sealed. */
export type WrappedKeyShare = Recipient & { kind: 'custodian'; share: number } & SealedDataKey;

/** A parsed envelope of version 1: every recipient holds the whole data key. */
export type EnvelopeV1 = {
  v: 1;
  alg: 'A256GCM';
  kem: 'X25519-HKDF-SHA256';
  meta: EnvelopeMetadata;
  iv: Uint8Array;
  ct: Uint8Array;
  keys: WrappedDataKey[];
};

/** A parsed envelope of version 2: the patient holds the data key, custodians k-of-n shares of it. */
export type EnvelopeV2 = {
  v: 2;
  alg: 'A256GCM';
  kem: 'X25519-HKDF-SHA256';
  meta: EnvelopeMetadata;
  custody: { threshold: number };
  iv: Uint8Array;
  ct: Uint8Array;
  keys: (WrappedDataKey | WrappedKeyShare)[];
};

/** A parsed envelope. */
export type Envelope = EnvelopeV1 | EnvelopeV2;

/** k-of-n custody: `threshold` of the `custodians` together can rebuild the data key. */
export type CustodyParameters = {
  /** k: 1 ≤ k ≤ n (1 means every custodian alone can open the record). */
  threshold: number;
  /** n: 2 to 16 custodians (kind 'custodian', id = organisation id or address), share i to custodian i. */
  custodians: readonly Recipient[];
};

export type SealRecordParameters = {
  plaintext: Uint8Array;
  metadata: EnvelopeMetadata;
  /** Whole-key recipients. With `custody`, patients only (custodians get shares, not the key). */
  recipients: readonly Recipient[];
  /** Splits the data key k-of-n to custodians (envelope v2). Without it, envelope v1. */
  custody?: CustodyParameters;
};
export type SealRecordReturnType = { envelope: Uint8Array; dataKey: Uint8Array };
export type ParseEnvelopeErrorType = InvalidInputError;
export type OpenRecordErrorType = InvalidInputError | IntegrityError;
export type UnwrapDataKeyErrorType = InvalidInputError | IntegrityError | NotFoundError;

/** HPKE info of every sealed data key. */
export const dataKeyInfo = utf8ToBytes('medledger/v1 data-key');
/** First element of the metadata encoding (domain separation). */
const metadataTag = 'medledger/v1 record';
const maxRecipients = 256;
const zeroHash = `0x${'00'.repeat(32)}` as Hex;
const addressPattern = /^0x[0-9a-fA-F]{40}$/;
const custodianIdPattern = /^[0-9A-Za-z._:-]{1,128}$/;
const hpkeEncSize = 32;

/**
 * Encrypts a record for its recipients.
 *
 * @example
 * const { envelope, dataKey } = await sealRecord({
 *   plaintext: utf8ToBytes(JSON.stringify(observation)),
 *   metadata: { recordId, patient, author, category: 'lab', sensitivity: 'normal', supersedes: zeroHash, createdAt },
 *   recipients: [{ kind: 'patient', id: patient, publicKey: patientKey }],
 * });
 * const cid = cidOf(envelope);
 */
export async function sealRecord(parameters: SealRecordParameters): Promise<SealRecordReturnType> {
  const meta = normalizeMetadata(parameters.metadata, false);
  const recipients = parameters.recipients.map((r, i) =>
    normalizeRecipient(r, `recipients[${i}]`, meta, false),
  );
  if (parameters.custody !== undefined) return sealRecordWithCustody(parameters, meta, recipients);
  checkRecipientSet(recipients);
  const dataKey = randomBytes(aesGcmKeySize);
  const recordIdBytes = hexToBytes(meta.recordId);
  const { iv, ciphertext } = encryptAesGcm(dataKey, parameters.plaintext, metadataAad(meta));
  const keys = await Promise.all(
    recipients.map(async (recipient): Promise<WrappedDataKey> => {
      const sealed = await sealToPublicKey(recipient.publicKey, dataKey, {
        info: dataKeyInfo,
        aad: recordIdBytes,
      });
      return { ...recipient, enc: sealed.enc, ct: sealed.ciphertext };
    }),
  );
  const envelope: Envelope = {
    v: 1,
    alg: 'A256GCM',
    kem: 'X25519-HKDF-SHA256',
    meta,
    iv,
    ct: ciphertext,
    keys,
  };
  return { envelope: serializeEnvelope(envelope), dataKey };
}

/** `sealRecord` with `custody`: an envelope v2 (see the module comment). */
async function sealRecordWithCustody(
  parameters: SealRecordParameters,
  meta: EnvelopeMetadata,
  recipients: Recipient[],
): Promise<SealRecordReturnType> {
  const custody = parameters.custody!;
  if (typeof custody !== 'object' || custody === null || !Array.isArray(custody.custodians)) {
    throw new InvalidInputError('Invalid custody: expected { threshold, custodians }.');
  }
  for (const [i, r] of recipients.entries()) {
    if (r.kind !== 'patient') {
      throw invalid(`recipients[${i}].kind`, '"patient" when custody is given (custodians get shares)');
    }
  }
  const custodians = custody.custodians.map((r, i) => {
    if (r.kind !== 'custodian') throw invalid(`custody.custodians[${i}].kind`, '"custodian"');
    return normalizeRecipient(r, `custody.custodians[${i}]`, meta, false);
  });
  checkShareParameters(custodians.length, custody.threshold);
  checkRecipientSet([...recipients, ...custodians]);
  const dataKey = randomBytes(aesGcmKeySize);
  const recordIdBytes = hexToBytes(meta.recordId);
  const { iv, ciphertext } = encryptAesGcm(dataKey, parameters.plaintext, metadataAad(meta));
  const shares = await splitSecret(dataKey, custodians.length, custody.threshold);
  const context = { recordId: meta.recordId, threshold: custody.threshold };
  const [patientKeys, shareKeys] = await Promise.all([
    Promise.all(
      recipients.map(async (recipient): Promise<WrappedDataKey> => {
        const sealed = await sealToPublicKey(recipient.publicKey, dataKey, {
          info: dataKeyInfo,
          aad: recordIdBytes,
        });
        return { ...recipient, enc: sealed.enc, ct: sealed.ciphertext };
      }),
    ),
    Promise.all(
      custodians.map(async (custodian, i): Promise<WrappedKeyShare> => {
        const share = shares[i]!;
        const value = share.subarray(0, keyShareValueSize);
        const sealed = await sealKeyShare(value, shareIndex(share), custodian.publicKey, context);
        share.fill(0);
        return { ...custodian, kind: 'custodian', share: sealed.share, enc: sealed.enc, ct: sealed.ct };
      }),
    ),
  ]);
  const envelope: EnvelopeV2 = {
    v: 2,
    alg: 'A256GCM',
    kem: 'X25519-HKDF-SHA256',
    meta,
    custody: { threshold: custody.threshold },
    iv,
    ct: ciphertext,
    keys: [...patientKeys, ...shareKeys],
  };
  return { envelope: serializeEnvelope(envelope), dataKey };
}

/**
 * The canonical bytes of an envelope (see the module comment for the format).
 *
 * @example
 * parseEnvelope(serializeEnvelope(envelope)); // equal to envelope
 */
export function serializeEnvelope(envelope: Envelope): Uint8Array {
  const m = envelope.meta;
  if (envelope.v === 2) return serializeEnvelopeV2(envelope);
  return utf8ToBytes(
    JSON.stringify({
      v: envelope.v,
      alg: envelope.alg,
      kem: envelope.kem,
      meta: {
        recordId: m.recordId,
        patient: m.patient,
        author: m.author,
        category: m.category,
        sensitivity: m.sensitivity,
        supersedes: m.supersedes,
        createdAt: m.createdAt,
      },
      iv: bytesToBase64url(envelope.iv),
      ct: bytesToBase64url(envelope.ct),
      keys: envelope.keys.map((k) => ({
        kind: k.kind,
        id: k.id,
        publicKey: k.publicKey,
        enc: bytesToBase64url(k.enc),
        ct: bytesToBase64url(k.ct),
      })),
    }),
  );
}

function serializeEnvelopeV2(envelope: EnvelopeV2): Uint8Array {
  const m = envelope.meta;
  return utf8ToBytes(
    JSON.stringify({
      v: 2,
      alg: envelope.alg,
      kem: envelope.kem,
      meta: {
        recordId: m.recordId,
        patient: m.patient,
        author: m.author,
        category: m.category,
        sensitivity: m.sensitivity,
        supersedes: m.supersedes,
        createdAt: m.createdAt,
      },
      custody: { threshold: envelope.custody.threshold },
      iv: bytesToBase64url(envelope.iv),
      ct: bytesToBase64url(envelope.ct),
      keys: envelope.keys.map((k) =>
        'share' in k
          ? {
              kind: k.kind,
              id: k.id,
              publicKey: k.publicKey,
              share: k.share,
              enc: bytesToBase64url(k.enc),
              ct: bytesToBase64url(k.ct),
            }
          : {
              kind: k.kind,
              id: k.id,
              publicKey: k.publicKey,
              enc: bytesToBase64url(k.enc),
              ct: bytesToBase64url(k.ct),
            },
      ),
    }),
  );
}

/**
 * Parses and validates envelope bytes strictly; throws `InvalidInputError` naming the first
 * problem. Does not decrypt anything.
 *
 * @example
 * const { meta, keys } = parseEnvelope(blob);
 */
export function parseEnvelope(bytes: Uint8Array): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(bytesToUtf8(bytes));
  } catch (cause) {
    throw new InvalidInputError('Invalid envelope: not UTF-8 JSON.', { cause });
  }
  if (typeof json === 'object' && json !== null && (json as { v?: unknown }).v === 2) {
    return parseEnvelopeV2(json, bytes);
  }
  const root = object(json, 'envelope', ['v', 'alg', 'kem', 'meta', 'iv', 'ct', 'keys']);
  if (root.v !== 1) throw invalid('v', 'the version 1 or 2');
  if (root.alg !== 'A256GCM') throw invalid('alg', '"A256GCM"');
  if (root.kem !== 'X25519-HKDF-SHA256') throw invalid('kem', '"X25519-HKDF-SHA256"');
  const meta = normalizeMetadata(root.meta, true);
  const iv = binary(root.iv, 'iv');
  if (iv.length !== aesGcmNonceSize) throw invalid('iv', `${aesGcmNonceSize} bytes`);
  const ct = binary(root.ct, 'ct');
  if (ct.length < aesGcmTagSize) throw invalid('ct', `at least ${aesGcmTagSize} bytes`);
  if (!Array.isArray(root.keys)) throw invalid('keys', 'an array');
  const keys = root.keys.map((entry: unknown, i: number): WrappedDataKey => {
    const path = `keys[${i}]`;
    const k = object(entry, path, ['kind', 'id', 'publicKey', 'enc', 'ct']);
    const recipient = normalizeRecipient(k as Recipient, path, meta, true);
    const enc = binary(k.enc, `${path}.enc`);
    if (enc.length !== hpkeEncSize) throw invalid(`${path}.enc`, `${hpkeEncSize} bytes`);
    const keyCt = binary(k.ct, `${path}.ct`);
    if (keyCt.length !== aesGcmKeySize + aesGcmTagSize) {
      throw invalid(`${path}.ct`, `${aesGcmKeySize + aesGcmTagSize} bytes`);
    }
    return { ...recipient, enc, ct: keyCt };
  });
  checkRecipientSet(keys);
  const envelope: Envelope = { v: 1, alg: 'A256GCM', kem: 'X25519-HKDF-SHA256', meta, iv, ct, keys };
  if (!equalBytes(serializeEnvelope(envelope), bytes)) {
    throw new InvalidInputError(
      'Invalid envelope: not in canonical form (key order, spacing or duplicates).',
    );
  }
  return envelope;
}

function parseEnvelopeV2(json: unknown, bytes: Uint8Array): EnvelopeV2 {
  const root = object(json, 'envelope', ['v', 'alg', 'kem', 'meta', 'custody', 'iv', 'ct', 'keys']);
  if (root.alg !== 'A256GCM') throw invalid('alg', '"A256GCM"');
  if (root.kem !== 'X25519-HKDF-SHA256') throw invalid('kem', '"X25519-HKDF-SHA256"');
  const meta = normalizeMetadata(root.meta, true);
  const custody = object(root.custody, 'custody', ['threshold']);
  const threshold = custody.threshold;
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1) {
    throw invalid('custody.threshold', 'a positive integer');
  }
  const iv = binary(root.iv, 'iv');
  if (iv.length !== aesGcmNonceSize) throw invalid('iv', `${aesGcmNonceSize} bytes`);
  const ct = binary(root.ct, 'ct');
  if (ct.length < aesGcmTagSize) throw invalid('ct', `at least ${aesGcmTagSize} bytes`);
  if (!Array.isArray(root.keys)) throw invalid('keys', 'an array');
  const indexes = new Set<number>();
  const keys = root.keys.map((entry: unknown, i: number): WrappedDataKey | WrappedKeyShare => {
    const path = `keys[${i}]`;
    const isShare = typeof entry === 'object' && entry !== null && 'share' in entry;
    const k = object(
      entry,
      path,
      isShare ? ['kind', 'id', 'publicKey', 'share', 'enc', 'ct'] : ['kind', 'id', 'publicKey', 'enc', 'ct'],
    );
    const recipient = normalizeRecipient(k as Recipient, path, meta, true);
    if (isShare !== (recipient.kind === 'custodian')) {
      throw invalid(`${path}.share`, 'present on custodian entries (and only on them)');
    }
    const enc = binary(k.enc, `${path}.enc`);
    if (enc.length !== hpkeEncSize) throw invalid(`${path}.enc`, `${hpkeEncSize} bytes`);
    const keyCt = binary(k.ct, `${path}.ct`);
    // A share's y values are as long as the data key, so both seal to the same length.
    if (keyCt.length !== aesGcmKeySize + aesGcmTagSize) {
      throw invalid(`${path}.ct`, `${aesGcmKeySize + aesGcmTagSize} bytes`);
    }
    if (!isShare) return { ...recipient, enc, ct: keyCt };
    const share = k.share;
    if (!isShareIndex(share)) throw invalid(`${path}.share`, 'an integer from 1 to 255');
    if (indexes.has(share))
      throw new InvalidInputError(`Invalid envelope: share index ${share} appears twice.`);
    indexes.add(share);
    return { ...recipient, kind: 'custodian', share, enc, ct: keyCt };
  });
  checkRecipientSet(keys);
  if (indexes.size < 2 || indexes.size > maxShares) {
    throw invalid('keys', `2 to ${maxShares} custodian shares in a version 2 envelope`);
  }
  if (threshold > indexes.size) throw invalid('custody.threshold', 'at most the number of custodian shares');
  const envelope: EnvelopeV2 = {
    v: 2,
    alg: 'A256GCM',
    kem: 'X25519-HKDF-SHA256',
    meta,
    custody: { threshold },
    iv,
    ct,
    keys,
  };
  if (!equalBytes(serializeEnvelope(envelope), bytes)) {
    throw new InvalidInputError(
      'Invalid envelope: not in canonical form (key order, spacing or duplicates).',
    );
  }
  return envelope;
}

/**
 * Decrypts the record with its data key; throws `IntegrityError` on any tampering of the
 * ciphertext, nonce or metadata, or a wrong key.
 *
 * @example
 * const plaintext = openRecord(blob, dataKey);
 */
export function openRecord(envelope: Uint8Array | Envelope, dataKey: Uint8Array): Uint8Array {
  const parsed = envelope instanceof Uint8Array ? parseEnvelope(envelope) : envelope;
  return decryptAesGcm(dataKey, { iv: parsed.iv, ciphertext: parsed.ct }, metadataAad(parsed.meta));
}

/**
 * Unwraps the data key sealed to one recipient of the envelope with that recipient's X25519
 * secret key.
 *
 * @example
 * const dataKey = await unwrapDataKey(blob, { kind: 'patient', id: patient }, identity.encryption.secretKey);
 */
export async function unwrapDataKey(
  envelope: Uint8Array | Envelope,
  recipient: { kind: RecipientKind; id: string },
  secretKey: Hex | Uint8Array | HpkeSecretKey,
): Promise<Uint8Array> {
  const parsed = envelope instanceof Uint8Array ? parseEnvelope(envelope) : envelope;
  const id =
    recipient.kind === 'patient' || addressPattern.test(recipient.id)
      ? recipient.id.toLowerCase()
      : recipient.id;
  const entry = parsed.keys.find((k) => k.kind === recipient.kind && k.id === id);
  if (!entry) {
    throw new NotFoundError('The envelope has no data key for this recipient.', {
      metaMessages: [`Recipient: ${recipient.kind} ${recipient.id}`, `Record: ${parsed.meta.recordId}`],
    });
  }
  if ('share' in entry) {
    throw new InvalidInputError(
      'This custodian holds a share of the data key, not the key: use resealShare and openDataKeyFromShares.',
      { metaMessages: [`Recipient: ${entry.kind} ${entry.id}`, `Record: ${parsed.meta.recordId}`] },
    );
  }
  const key =
    typeof secretKey === 'object' && !(secretKey instanceof Uint8Array)
      ? secretKey
      : await importHpkeSecretKey(secretKey);
  const publicKey = await hpkePublicKeyBytes(key);
  if (!equalBytes(publicKey, hexToBytes(entry.publicKey))) {
    throw new InvalidInputError('The secret key does not match the public key of this recipient.', {
      metaMessages: [`Recipient: ${entry.kind} ${entry.id}`, `Recipient public key: ${entry.publicKey}`],
    });
  }
  return openResealedDataKey(entry, key, parsed.meta.recordId);
}

/**
 * Seals a data key to another public key, bound to the record id: what a custodian (or the
 * patient's device) hands to an authorised reader.
 *
 * @example
 * const sealed = await resealDataKey(dataKey, reader.encryptionKey, recordId);
 */
export async function resealDataKey(
  dataKey: Uint8Array,
  recipientPublicKey: Hex | Uint8Array | HpkePublicKey,
  recordId: Hex,
): Promise<SealedDataKey> {
  if (dataKey.length !== aesGcmKeySize)
    throw new InvalidInputError(`Invalid data key: expected ${aesGcmKeySize} bytes.`);
  const sealed = await sealToPublicKey(recipientPublicKey, dataKey, {
    info: dataKeyInfo,
    aad: hexToBytes(recordId, 32, 'record id'),
  });
  return { enc: sealed.enc, ct: sealed.ciphertext };
}

/**
 * Opens a data key sealed by `resealDataKey` (or in an envelope) for `recordId`; throws
 * `IntegrityError` if it was sealed for another record or key, or tampered with.
 *
 * @example
 * const dataKey = await openResealedDataKey(sealed, identity.encryption.secretKey, recordId);
 */
export async function openResealedDataKey(
  sealed: SealedDataKey,
  secretKey: Hex | Uint8Array | HpkeSecretKey,
  recordId: Hex,
): Promise<Uint8Array> {
  const dataKey = await openWithSecretKey(
    secretKey,
    { enc: sealed.enc, ciphertext: sealed.ct },
    { info: dataKeyInfo, aad: hexToBytes(recordId, 32, 'record id') },
  );
  if (dataKey.length !== aesGcmKeySize) throw new IntegrityError('The sealed data key has the wrong length.');
  return dataKey;
}

/**
 * The AES-GCM associated data of a record: the UTF-8 bytes of the JSON array
 * `["medledger/v1 record", recordId, patient, author, category, sensitivity, supersedes, createdAt]`
 * with hex values lower case, `createdAt` an integer, no whitespace (`JSON.stringify`).
 *
 * @example
 * metadataAad(meta); // utf8 '["medledger/v1 record","0x…","0x…","0x…","lab","normal","0x00…00",1767225600]'
 */
export function metadataAad(meta: EnvelopeMetadata): Uint8Array {
  return utf8ToBytes(
    JSON.stringify([
      metadataTag,
      meta.recordId,
      meta.patient,
      meta.author,
      meta.category,
      meta.sensitivity,
      meta.supersedes,
      meta.createdAt,
    ]),
  );
}

/** `strict`: the values must already be canonical (parsing); otherwise they are lower-cased (sealing). */
function normalizeMetadata(value: unknown, strict: boolean): EnvelopeMetadata {
  const m = object(value, 'meta', [
    'recordId',
    'patient',
    'author',
    'category',
    'sensitivity',
    'supersedes',
    'createdAt',
  ]);
  const createdAt = m.createdAt;
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0) {
    throw invalid('meta.createdAt', 'a non-negative integer (unix seconds)');
  }
  if (!categories.includes(m.category as Category)) throw invalid('meta.category', 'a known category');
  if (!sensitivities.includes(m.sensitivity as Sensitivity))
    throw invalid('meta.sensitivity', 'a known sensitivity');
  const recordId = hash32(m.recordId, 'meta.recordId', strict);
  if (recordId === zeroHash) throw invalid('meta.recordId', 'a non-zero 32-byte id');
  return {
    recordId,
    patient: address(m.patient, 'meta.patient', strict),
    author: address(m.author, 'meta.author', strict),
    category: m.category as Category,
    sensitivity: m.sensitivity as Sensitivity,
    supersedes: hash32(m.supersedes, 'meta.supersedes', strict),
    createdAt,
  };
}

function normalizeRecipient(
  value: Recipient,
  path: string,
  meta: EnvelopeMetadata,
  strict: boolean,
): Recipient {
  const { kind, id } = value;
  if (kind !== 'patient' && kind !== 'custodian') throw invalid(`${path}.kind`, '"patient" or "custodian"');
  let normalizedId: string;
  if (kind === 'patient') {
    normalizedId = address(id, `${path}.id`, strict);
    if (normalizedId !== meta.patient) throw invalid(`${path}.id`, "the record's patient");
  } else if (typeof id === 'string' && addressPattern.test(id)) {
    normalizedId = address(id, `${path}.id`, strict);
  } else if (typeof id === 'string' && custodianIdPattern.test(id)) {
    normalizedId = id;
  } else {
    throw invalid(`${path}.id`, 'an address or an organisation id ([0-9A-Za-z._:-], 1 to 128 characters)');
  }
  return { kind, id: normalizedId, publicKey: hash32(value.publicKey, `${path}.publicKey`, strict) };
}

function checkRecipientSet(recipients: readonly Recipient[]): void {
  if (recipients.length === 0 || recipients.length > maxRecipients) {
    throw invalid('keys', `1 to ${maxRecipients} recipients`);
  }
  const seen = new Set<string>();
  for (const r of recipients) {
    const key = `${r.kind} ${r.id}`;
    if (seen.has(key)) throw new InvalidInputError(`Invalid envelope: recipient ${key} appears twice.`);
    seen.add(key);
  }
}

function object(value: unknown, path: string, fields: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'an object');
  const record = value as Record<string, unknown>;
  for (const field of fields) if (!(field in record)) throw invalid(`${path}.${field}`, 'present');
  for (const field of Object.keys(record)) {
    if (!fields.includes(field))
      throw new InvalidInputError(`Invalid envelope: unknown field ${path}.${field}.`);
  }
  return record;
}

function hash32(value: unknown, path: string, strict: boolean): Hex {
  if (strict) {
    if (!isLowerHex(value, 32)) throw invalid(path, '32 bytes of lower-case 0x hex');
    return value;
  }
  if (typeof value !== 'string') throw invalid(path, '32 bytes of 0x hex');
  return bytesToHex(hexToBytes(value, 32, path));
}

function address(value: unknown, path: string, strict: boolean): Address {
  if (typeof value !== 'string' || !addressPattern.test(value)) throw invalid(path, 'a 0x address');
  if (strict && value !== value.toLowerCase()) throw invalid(path, 'a lower-case 0x address');
  return value.toLowerCase() as Address;
}

function binary(value: unknown, path: string): Uint8Array {
  if (typeof value !== 'string') throw invalid(path, 'a base64url string');
  return base64urlToBytes(value, `envelope ${path}`);
}

function invalid(path: string, expected: string): InvalidInputError {
  return new InvalidInputError(`Invalid envelope: ${path} must be ${expected}.`);
}
