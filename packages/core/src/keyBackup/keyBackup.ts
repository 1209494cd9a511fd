/**
 * Key backups to guardians (seed 002: keys recoverable when misplaced).
 *
 * A patient's secret keys (the 32-byte signing key followed by the 32-byte encryption secret key)
 * are split k-of-n with Shamir's scheme (`shamir.ts`; 2 ≤ k ≤ n ≤ 16) among guardians it chooses
 * (registered members or patients). Share i's 64 y bytes are sealed with HPKE (`hpke.ts`) to
 * guardian i's registered encryption key, its index (the Shamir x coordinate) in clear:
 *
 *   info = UTF-8 "medledger/v1 key-backup-share"
 *   aad  = backupId (32 bytes) || patient (20 bytes) || threshold (1 byte) || index (1 byte)
 *
 * so a share cannot be moved to another backup or patient, relabelled, or used under another k.
 * Fewer than k guardians learn nothing about the keys (tested, keyBackup.test.ts); k of them, with
 * the patient's consent, can hand their shares to a recovery key (`recoveryRequest.ts`), sealed
 * again:
 *
 *   info = UTF-8 "medledger/v1 key-recovery-share"
 *   aad  = requestId (32) || backupId (32) || patient (20) || threshold (1) || index (1)
 *
 * The backup is canonical JSON (UTF-8, no whitespace, keys in exactly this order, hex in lower
 * case, binary fields unpadded base64url):
 *
 *   {"v":1,"backupId","patient","signer","encryptionKey","threshold","createdAt",
 *    "guardians":[{"guardian","publicKey","share","enc","ct"},…]}
 *
 * `signer` is the address of the signing key backed up (the patient's own, unless it rotated) and
 * `encryptionKey` the public key of the encryption key: recovery checks the recombined keys
 * against both. The keccak256 of the bytes (`keyBackupHash`) is committed on chain by the patient
 * (`Consortium.commitKeyBackup`), so a backup changed afterwards is detected.
 */
import type { Address, Hex } from 'viem';
import { keccak256 } from 'viem';
import {
  base64urlToBytes,
  bytesToBase64url,
  bytesToHex,
  bytesToUtf8,
  concatBytes,
  equalBytes,
  hexToBytes,
  randomBytes,
  utf8ToBytes,
} from '../bytes.ts';
import type { HpkeSecretKey } from '../crypto/hpke.ts';
import {
  hpkePublicKeyBytes,
  importHpkeSecretKey,
  openWithSecretKey,
  sealToPublicKey,
} from '../crypto/hpke.ts';
import { type Identity, identityFromKeys, signerAddressOf } from '../crypto/keys.ts';
import { combineShares, maxShares, shareIndex, splitSecret } from '../crypto/shamir.ts';
import { AccessDeniedError, IntegrityError, InvalidInputError } from '../errors.ts';
import { normalizeRecoveryRequest, type RecoveryRequest } from './recoveryRequest.ts';

/** A guardian: an account and its registered encryption key. */
export type Guardian = { guardian: Address; publicKey: Hex };

/** A guardian's entry in a backup: its share's index and the share's y bytes, sealed to it. */
export type GuardianShare = Guardian & { share: number; enc: Uint8Array; ct: Uint8Array };

export type KeyBackup = {
  v: 1;
  /** 32 random bytes. */
  backupId: Hex;
  /** The patient's id on chain. */
  patient: Address;
  /** The address of the signing key backed up. */
  signer: Address;
  /** The public key of the encryption key backed up. */
  encryptionKey: Hex;
  /** k: how many guardians recover the keys. */
  threshold: number;
  /** Unix seconds. */
  createdAt: number;
  guardians: GuardianShare[];
};

/** What recovery needs to know of a backup (the gateway gives a requester no more). */
export type KeyBackupHeader = Pick<
  KeyBackup,
  'backupId' | 'patient' | 'signer' | 'encryptionKey' | 'threshold'
>;

/** A guardian's share sealed to a recovery request's key. */
export type RecoveryShare = { share: number; enc: Uint8Array; ct: Uint8Array };

export type CreateKeyBackupParameters = {
  /** The patient's keys (acting for the patient's id). */
  identity: Identity;
  guardians: readonly Guardian[];
  threshold: number;
  /** Unix seconds; now by default. */
  createdAt?: number;
};

/** HPKE info of a share sealed to a guardian. */
export const keyBackupShareInfo = utf8ToBytes('medledger/v1 key-backup-share');
/** HPKE info of a share a guardian sealed to a recovery key. */
export const keyRecoveryShareInfo = utf8ToBytes('medledger/v1 key-recovery-share');

const secretSize = 64;
const hpkeEncSize = 32;
const sealedValueSize = secretSize + 16;
const maxSubsetTrials = 256;
const hash32 = /^0x[0-9a-f]{64}$/;
const lowerAddress = /^0x[0-9a-f]{40}$/;

/**
 * Splits a patient's keys among its guardians (see the module comment).
 *
 * @example
 * const { bytes, backupHash } = await createKeyBackup({ identity, guardians, threshold: 2 });
 */
export async function createKeyBackup(
  parameters: CreateKeyBackupParameters,
): Promise<{ backup: KeyBackup; bytes: Uint8Array; backupHash: Hex }> {
  const { identity, threshold } = parameters;
  const guardians = parameters.guardians.map((g, i) => normalizeGuardian(g, `guardians[${i}]`));
  const header = {
    backupId: bytesToHex(randomBytes(32)),
    patient: identity.address.toLowerCase() as Address,
    signer: signerAddressOf(identity).toLowerCase() as Address,
    encryptionKey: identity.encryption.publicKey.toLowerCase() as Hex,
    threshold,
  };
  checkGuardians(header, guardians);
  const secret = concatBytes(
    hexToBytes(identity.signingKey, 32, 'signing key'),
    hexToBytes(identity.encryption.secretKey, 32, 'encryption secret key'),
  );
  const shares = await splitSecret(secret, guardians.length, threshold);
  secret.fill(0);
  const sealed = await Promise.all(
    guardians.map(async (guardian, i): Promise<GuardianShare> => {
      const share = shares[i]!;
      const index = shareIndex(share);
      const { enc, ciphertext } = await sealToPublicKey(guardian.publicKey, share.subarray(0, secretSize), {
        info: keyBackupShareInfo,
        aad: backupShareAad(header, index),
      });
      share.fill(0);
      return { ...guardian, share: index, enc, ct: ciphertext };
    }),
  );
  const backup: KeyBackup = {
    v: 1,
    ...header,
    createdAt: parameters.createdAt ?? Math.floor(Date.now() / 1000),
    guardians: sealed,
  };
  const bytes = serializeKeyBackup(backup);
  return { backup: parseKeyBackup(bytes), bytes, backupHash: keyBackupHash(bytes) };
}

/**
 * The canonical bytes of a backup.
 *
 * @example
 * parseKeyBackup(serializeKeyBackup(backup)); // equal to backup
 */
export function serializeKeyBackup(backup: KeyBackup): Uint8Array {
  return utf8ToBytes(
    JSON.stringify({
      v: backup.v,
      backupId: backup.backupId,
      patient: backup.patient,
      signer: backup.signer,
      encryptionKey: backup.encryptionKey,
      threshold: backup.threshold,
      createdAt: backup.createdAt,
      guardians: backup.guardians.map((g) => ({
        guardian: g.guardian,
        publicKey: g.publicKey,
        share: g.share,
        enc: bytesToBase64url(g.enc),
        ct: bytesToBase64url(g.ct),
      })),
    }),
  );
}

/**
 * The hash a patient commits on chain: keccak256 of the backup's bytes.
 *
 * @example
 * keyBackupHash(bytes) === (await consortium.keyBackupOf(patient)).backupHash;
 */
export function keyBackupHash(bytes: Uint8Array): Hex {
  return keccak256(bytes);
}

/**
 * Parses backup bytes and checks them against what the patient committed on chain
 * (`Consortium.keyBackupOf`): their hash, the backup id and the key backed up. Throws
 * `IntegrityError` when they differ: the backup was changed after the patient made it, or replaced.
 *
 * @example
 * const backup = checkKeyBackupCommitment(bytes, await consortium.keyBackupOf(patient));
 */
export function checkKeyBackupCommitment(
  bytes: Uint8Array,
  committed: { backupId: Hex; backupHash: Hex; signer: Address },
): KeyBackup {
  const backup = parseKeyBackup(bytes);
  if (
    keyBackupHash(bytes) !== committed.backupHash.toLowerCase() ||
    backup.backupId !== committed.backupId.toLowerCase() ||
    backup.signer !== committed.signer.toLowerCase()
  ) {
    throw new IntegrityError('The key backup does not match its commitment on chain.', {
      metaMessages: ['It was changed after the patient made it, or another backup was committed since.'],
    });
  }
  return backup;
}

/**
 * Parses backup bytes strictly (only the canonical form is accepted); throws `InvalidInputError`
 * naming the first problem. Decrypts nothing.
 *
 * @example
 * const backup = parseKeyBackup(bytesFromGateway);
 */
export function parseKeyBackup(bytes: Uint8Array): KeyBackup {
  let json: unknown;
  try {
    json = JSON.parse(bytesToUtf8(bytes));
  } catch (cause) {
    throw new InvalidInputError('Invalid key backup: not UTF-8 JSON.', { cause });
  }
  const root = fields(json, 'key backup', [
    'v',
    'backupId',
    'patient',
    'signer',
    'encryptionKey',
    'threshold',
    'createdAt',
    'guardians',
  ]);
  if (root.v !== 1) throw invalid('v', '1');
  for (const field of ['backupId', 'encryptionKey'] as const) {
    if (typeof root[field] !== 'string' || !hash32.test(root[field]))
      throw invalid(field, '32 bytes of lower-case hex');
  }
  for (const field of ['patient', 'signer'] as const) {
    if (typeof root[field] !== 'string' || !lowerAddress.test(root[field]))
      throw invalid(field, 'a lower-case address');
  }
  if (!Number.isSafeInteger(root.createdAt) || (root.createdAt as number) < 0)
    throw invalid('createdAt', 'unix seconds');
  if (!Array.isArray(root.guardians)) throw invalid('guardians', 'an array');
  const guardians = root.guardians.map((entry: unknown, i: number): GuardianShare => {
    const path = `guardians[${i}]`;
    const g = fields(entry, path, ['guardian', 'publicKey', 'share', 'enc', 'ct']);
    if (typeof g.guardian !== 'string' || !lowerAddress.test(g.guardian))
      throw invalid(`${path}.guardian`, 'a lower-case address');
    if (typeof g.publicKey !== 'string' || !hash32.test(g.publicKey))
      throw invalid(`${path}.publicKey`, '32 bytes of lower-case hex');
    if (!Number.isInteger(g.share) || (g.share as number) < 1 || (g.share as number) > 255)
      throw invalid(`${path}.share`, 'an index 1..255');
    const enc = binary(g.enc, `${path}.enc`, hpkeEncSize);
    const ct = binary(g.ct, `${path}.ct`, sealedValueSize);
    return {
      guardian: g.guardian as Address,
      publicKey: g.publicKey as Hex,
      share: g.share as number,
      enc,
      ct,
    };
  });
  const backup: KeyBackup = {
    v: 1,
    backupId: root.backupId as Hex,
    patient: root.patient as Address,
    signer: root.signer as Address,
    encryptionKey: root.encryptionKey as Hex,
    threshold: root.threshold as number,
    createdAt: root.createdAt as number,
    guardians,
  };
  checkGuardians(backup, guardians);
  if (new Set(guardians.map((g) => g.share)).size !== guardians.length) {
    throw new InvalidInputError('Invalid key backup: two guardians hold the same share index.');
  }
  if (!equalBytes(serializeKeyBackup(backup), bytes)) {
    throw new InvalidInputError('Invalid key backup: not in canonical form (key order, spacing or case).');
  }
  return backup;
}

/**
 * What a guardian does for an approved recovery request: opens its share of the backup with its
 * secret key and seals it to the request's recovery key, bound to the request. Throws
 * `AccessDeniedError` if `guardian` holds no share, `InvalidInputError` if the request is for
 * another backup or the secret key is not the one the share was sealed to, `IntegrityError` if the
 * share does not open (tampered with, or sealed for another backup, patient, index or k).
 *
 * @example
 * const share = await resealGuardianShare(backup, me, identity.encryption.secretKey, request);
 */
export async function resealGuardianShare(
  backup: KeyBackup,
  guardian: Address,
  guardianSecretKey: Hex | Uint8Array | HpkeSecretKey,
  request: RecoveryRequest,
): Promise<RecoveryShare> {
  const r = normalizeRecoveryRequest(request);
  if (r.patient !== backup.patient || r.backupId !== backup.backupId) {
    throw new InvalidInputError('The recovery request is for another patient or another backup.', {
      metaMessages: [
        `Request: ${r.patient}, backup ${r.backupId}`,
        `Backup: ${backup.patient}, ${backup.backupId}`,
      ],
    });
  }
  const value = await openGuardianShare(backup, guardian, guardianSecretKey);
  const entry = guardianEntry(backup, guardian);
  try {
    const { enc, ciphertext } = await sealToPublicKey(r.recoveryKey, value, {
      info: keyRecoveryShareInfo,
      aad: recoveryShareAad(r.requestId, backup, entry.share),
    });
    return { share: entry.share, enc, ct: ciphertext };
  } finally {
    value.fill(0);
  }
}

/**
 * Opens `guardian`'s share of a backup (its 64 y bytes). See `resealGuardianShare` for the errors.
 *
 * @example
 * const value = await openGuardianShare(backup, me, identity.encryption.secretKey);
 */
export async function openGuardianShare(
  backup: KeyBackup,
  guardian: Address,
  guardianSecretKey: Hex | Uint8Array | HpkeSecretKey,
): Promise<Uint8Array> {
  const entry = guardianEntry(backup, guardian);
  const key =
    typeof guardianSecretKey === 'object' && !(guardianSecretKey instanceof Uint8Array)
      ? guardianSecretKey
      : await importHpkeSecretKey(guardianSecretKey);
  if (!equalBytes(await hpkePublicKeyBytes(key), hexToBytes(entry.publicKey))) {
    throw new InvalidInputError('This share is sealed to another encryption key than yours.', {
      metaMessages: [`Sealed to: ${entry.publicKey}`, 'Use the key file whose encryption key this is.'],
    });
  }
  try {
    return await openWithSecretKey(
      key,
      { enc: entry.enc, ciphertext: entry.ct },
      { info: keyBackupShareInfo, aad: backupShareAad(backup, entry.share) },
    );
  } catch (cause) {
    if (cause instanceof IntegrityError) {
      throw new IntegrityError(`The backup share of guardian ${guardian} does not open.`, {
        cause,
        metaMessages: ['It was tampered with, or sealed for another backup, patient, index or threshold.'],
      });
    }
    throw cause;
  }
}

/**
 * Recombines the keys from k (or more) shares that guardians sealed to the recovery key, and checks
 * them against the backup: the signing key's address must be `header.signer`, the encryption key's
 * public key `header.encryptionKey`. Throws `AccessDeniedError` with fewer than k shares,
 * `IntegrityError` when a share does not open or the shares do not rebuild the backed-up keys.
 *
 * @example
 * const identity = await recoverIdentity(request, header, shares, recoveryKeyPair.secretKey);
 */
export async function recoverIdentity(
  request: RecoveryRequest,
  header: KeyBackupHeader,
  shares: readonly RecoveryShare[],
  recoverySecretKey: Hex | Uint8Array | HpkeSecretKey,
): Promise<Identity> {
  const r = normalizeRecoveryRequest(request);
  const backup = {
    ...header,
    patient: header.patient.toLowerCase() as Address,
    backupId: header.backupId.toLowerCase() as Hex,
  };
  if (r.patient !== backup.patient || r.backupId !== backup.backupId) {
    throw new InvalidInputError('The recovery request is for another patient or another backup.');
  }
  const distinct = new Map<number, RecoveryShare>();
  for (const share of shares) distinct.set(share.share, share);
  if (distinct.size < backup.threshold) {
    throw new AccessDeniedError(
      `Only ${distinct.size} of the ${backup.threshold} guardian shares needed have arrived; the key stays unrecovered.`,
      { metaMessages: ['Ask another guardian to approve the request.'] },
    );
  }
  const key =
    typeof recoverySecretKey === 'object' && !(recoverySecretKey instanceof Uint8Array)
      ? recoverySecretKey
      : await importHpkeSecretKey(recoverySecretKey);
  const opened: Uint8Array[] = [];
  try {
    for (const share of distinct.values()) {
      let value: Uint8Array;
      try {
        value = await openWithSecretKey(
          key,
          { enc: share.enc, ciphertext: share.ct },
          { info: keyRecoveryShareInfo, aad: recoveryShareAad(r.requestId, backup, share.share) },
        );
      } catch (cause) {
        if (cause instanceof IntegrityError || cause instanceof InvalidInputError) {
          throw new IntegrityError(`The guardian share with index ${share.share} does not open.`, {
            cause,
            metaMessages: ['It was tampered with, or sealed for another request, index or recovery key.'],
          });
        }
        throw cause;
      }
      if (value.length !== secretSize) throw new IntegrityError('A guardian share has the wrong length.');
      opened.push(concatBytes(value, Uint8Array.of(share.share)));
      value.fill(0);
    }
    const found = (await tryRecover(backup, opened)) ?? (await trySubsets(backup, opened));
    if (found) return found;
  } finally {
    for (const share of opened) share.fill(0);
  }
  throw new IntegrityError('The guardians’ shares do not rebuild the backed-up key.', {
    metaMessages: [
      'A guardian sent a wrong share, or the backup was replaced.',
      `Shares: ${[...distinct.keys()].join(', ')}`,
    ],
  });
}

/** The identity the opened shares rebuild, if it is the one backed up. */
async function tryRecover(backup: KeyBackupHeader, opened: Uint8Array[]): Promise<Identity | undefined> {
  const secret = await combineShares(opened);
  try {
    const identity = identityFromKeys({
      signingKey: bytesToHex(secret.subarray(0, 32)),
      encryptionSecretKey: bytesToHex(secret.subarray(32)),
      account: backup.patient,
    });
    const matches =
      signerAddressOf(identity).toLowerCase() === backup.signer.toLowerCase() &&
      identity.encryption.publicKey.toLowerCase() === backup.encryptionKey.toLowerCase();
    return matches ? identity : undefined;
  } catch (error) {
    if (error instanceof InvalidInputError) return undefined; // not even a valid signing key
    throw error;
  } finally {
    secret.fill(0);
  }
}

/** More than k shares that do not fit together: look for k that do (a guardian sent a wrong share). */
async function trySubsets(backup: KeyBackupHeader, opened: Uint8Array[]): Promise<Identity | undefined> {
  if (opened.length <= backup.threshold) return undefined;
  let trials = 0;
  for (const subset of subsets(opened, backup.threshold)) {
    if (++trials > maxSubsetTrials) return undefined;
    const found = await tryRecover(backup, subset);
    if (found) return found;
  }
  return undefined;
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

function guardianEntry(backup: KeyBackup, guardian: Address): GuardianShare {
  const entry = backup.guardians.find((g) => g.guardian === guardian.toLowerCase());
  if (!entry) {
    throw new AccessDeniedError(`${guardian} is not a guardian of this key backup.`, {
      metaMessages: [`Patient: ${backup.patient}`, `Backup: ${backup.backupId}`],
    });
  }
  return entry;
}

function backupShareAad(
  backup: Pick<KeyBackup, 'backupId' | 'patient' | 'threshold'>,
  index: number,
): Uint8Array {
  return concatBytes(
    hexToBytes(backup.backupId, 32, 'backup id'),
    hexToBytes(backup.patient, 20, 'patient'),
    Uint8Array.of(backup.threshold, index),
  );
}

function recoveryShareAad(
  requestId: Hex,
  backup: Pick<KeyBackup, 'backupId' | 'patient' | 'threshold'>,
  index: number,
): Uint8Array {
  if (!Number.isInteger(index) || index < 1 || index > 255) {
    throw new InvalidInputError('Invalid share index: expected 1 to 255.');
  }
  return concatBytes(hexToBytes(requestId, 32, 'request id'), backupShareAad(backup, index));
}

function normalizeGuardian(guardian: Guardian, path: string): Guardian {
  const address = typeof guardian?.guardian === 'string' ? guardian.guardian.toLowerCase() : '';
  const publicKey = typeof guardian?.publicKey === 'string' ? guardian.publicKey.toLowerCase() : '';
  if (!lowerAddress.test(address)) throw invalid(`${path}.guardian`, 'an address');
  if (!hash32.test(publicKey)) throw invalid(`${path}.publicKey`, '32 bytes of hex');
  return { guardian: address as Address, publicKey: publicKey as Hex };
}

/** 2 ≤ k ≤ n ≤ 16 distinct guardians, the patient not among them. */
function checkGuardians(
  header: Pick<KeyBackup, 'patient' | 'signer' | 'threshold'>,
  guardians: readonly Guardian[],
): void {
  const n = guardians.length;
  if (n < 2 || n > maxShares) {
    throw new InvalidInputError(`Invalid key backup: expected 2 to ${maxShares} guardians, got ${n}.`);
  }
  const k = header.threshold;
  if (!Number.isInteger(k) || k < 2 || k > n) {
    throw new InvalidInputError(
      `Invalid threshold ${String(k)}: expected 2 to the number of guardians (${n}), so that no guardian alone holds the key.`,
    );
  }
  const addresses = new Set(guardians.map((g) => g.guardian.toLowerCase()));
  if (addresses.size !== n) throw new InvalidInputError('Invalid key backup: a guardian is named twice.');
  for (const own of [header.patient, header.signer]) {
    if (addresses.has(own.toLowerCase())) {
      throw new InvalidInputError('Invalid key backup: the patient cannot be its own guardian.');
    }
  }
}

function fields(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'an object');
  const actual = Object.keys(value);
  if (actual.length !== keys.length || actual.some((key, i) => key !== keys[i])) {
    throw invalid(path, `exactly the fields ${keys.join(', ')}, in this order`);
  }
  return value as Record<string, unknown>;
}

function binary(value: unknown, path: string, size: number): Uint8Array {
  if (typeof value !== 'string') throw invalid(path, 'base64url');
  const bytes = base64urlToBytes(value, path);
  if (bytes.length !== size) throw invalid(path, `${size} bytes`);
  return bytes;
}

function invalid(path: string, expected: string): InvalidInputError {
  return new InvalidInputError(`Invalid key backup: ${path} must be ${expected}.`);
}
