/**
 * Per-patient keyed tags on audit leaves: how a patient recognises its own events among all the
 * leaves of an organisation's anchored audit batches, so that a gateway which keeps an event's
 * leaf but leaves the event out of its answer is caught (`verifyAuditLog`), while anyone else
 * learns nothing about whom the leaves concern.
 *
 * - Tag key of (organisation, patient): `K = HKDF-SHA256(ikm = X25519(a, B), salt = none,
 *   info = "medledger/v1 audit-tag key" ‖ uint32be(organisationId) ‖ organisationKey ‖ patientKey,
 *   length 32)`, where the X25519 Diffie-Hellman is between the organisation's encryption key (its
 *   gateway's custodian key, on chain) and the patient's encryption key (registered on chain). The
 *   gateway computes it with its secret key, the patient with its own; nobody else can.
 * - Fallback key, for events that concern no registered patient (no patient, an address that is not
 *   registered, or a key with which X25519 fails): `HKDF-SHA256(ikm = the gateway's secret key,
 *   salt = none, info = "medledger/v1 audit-tag fallback" ‖ uint32be(organisationId), length 32)`.
 *   Only the gateway knows it; its tags look like any other.
 * - Tag of the event at sequence number `s`: `HMAC-SHA256(K, uint64be(s))`. The sequence number is
 *   fixed when the event is written and does not depend on how events are batched, so the patient
 *   recomputes the tag of every leaf it sees and recognises its own.
 *
 * Tags are pseudorandom to whoever lacks the key: they neither link two events of one patient nor
 * say whether an event concerns a patient at all.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Hex } from 'viem';
import { bytesToHex, concatBytes, utf8ToBytes } from '../bytes.ts';
import { keyBytes } from '../crypto/keys.ts';
import { InvalidInputError } from '../errors.ts';
import { auditSequence } from './auditEvent.ts';

export type AuditTagKeyErrorType = InvalidInputError;

const keyInfo = utf8ToBytes('medledger/v1 audit-tag key');
const fallbackInfo = utf8ToBytes('medledger/v1 audit-tag fallback');

/**
 * The tag key shared by an organisation's gateway and a patient. `secretKey` is either side's
 * X25519 secret key: the organisation's (its public key must be `organisationKey`) or the
 * patient's (`patientKey`). Throws `InvalidInputError` when `secretKey` belongs to neither, or when
 * the other key is of low order (the shared secret would be zero).
 *
 * @example
 * const key = auditTagKey({ organisationId: 1, organisationKey, patientKey, secretKey: patient.encryption.secretKey });
 * auditLeafTag(key, 7); // the tag of event 7 if it concerns this patient
 */
export function auditTagKey(parameters: {
  organisationId: number;
  organisationKey: Hex;
  patientKey: Hex;
  secretKey: Hex | Uint8Array;
}): Uint8Array {
  const organisationKey = keyBytes(parameters.organisationKey, 'organisation encryption key');
  const patientKey = keyBytes(parameters.patientKey, 'patient encryption key');
  const secretKey = keyBytes(parameters.secretKey, 'encryption secret key');
  const ownKey = bytesToHex(x25519.getPublicKey(secretKey));
  const peerKey =
    ownKey === bytesToHex(organisationKey)
      ? patientKey
      : ownKey === bytesToHex(patientKey)
        ? organisationKey
        : undefined;
  if (!peerKey) {
    throw new InvalidInputError(
      'Invalid audit tag key: the secret key is neither the organisation’s nor the patient’s.',
    );
  }
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secretKey, peerKey);
  } catch (cause) {
    throw new InvalidInputError('Invalid audit tag key: X25519 with this public key gives no secret.', {
      cause,
    });
  }
  try {
    return hkdf(
      sha256,
      shared,
      undefined,
      concatBytes(keyInfo, uint32(parameters.organisationId), organisationKey, patientKey),
      32,
    );
  } finally {
    shared.fill(0);
  }
}

/**
 * The gateway's own tag key for events that concern no registered patient (see the module comment).
 *
 * @example
 * auditLeafTag(auditFallbackTagKey({ organisationId: 1, secretKey: custodianSecretKey }), 7);
 */
export function auditFallbackTagKey(parameters: {
  organisationId: number;
  secretKey: Hex | Uint8Array;
}): Uint8Array {
  return hkdf(
    sha256,
    keyBytes(parameters.secretKey, 'encryption secret key'),
    undefined,
    concatBytes(fallbackInfo, uint32(parameters.organisationId)),
    32,
  );
}

/**
 * The tag of the event at `sequence`: `HMAC-SHA256(key, uint64be(sequence))`, as 0x hex.
 *
 * @example
 * leaf.tag === auditLeafTag(key, leaf.sequence); // this leaf is one of mine
 */
export function auditLeafTag(key: Uint8Array, sequence: number | bigint): Hex {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new InvalidInputError('Invalid audit tag key: expected 32 bytes.');
  }
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(auditSequence(sequence)));
  return bytesToHex(hmac(sha256, key, message));
}

function uint32(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new InvalidInputError('Invalid organisation id: expected an integer from 0 to 2^32 - 1.');
  }
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}
