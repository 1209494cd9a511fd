/**
 * A recovery request: a patient on a new device, without its key, asks its guardians to hand their
 * backup shares to a temporary recovery key (X25519) made on that device.
 *
 * The device picks the request id at random. The request is what the guardians approve, so it must
 * reach them unchanged: a gateway that swapped the recovery key would get the shares. The device
 * shows a short *verification code*, a hash of the whole request, which the patient tells each
 * guardian out of band (in person, by phone); a guardian's client computes the code of the request
 * the gateway served and approves only if the two agree.
 *
 *   code = Crockford base32 of the first 10 bytes of SHA-256(UTF-8 JSON
 *          ["medledger/v1 key-recovery-request", requestId, patient, backupId, recoveryKey, createdAt])
 *
 * with hex in lower case and `createdAt` in unix seconds: 16 characters (80 bits), shown in groups
 * of four, e.g. `7KQ2-M9XD-4RTA-WZ1E`.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Address, Hex } from 'viem';
import { utf8ToBytes } from '../bytes.ts';
import { InvalidInputError } from '../errors.ts';

export type RecoveryRequest = {
  /** 32 random bytes, chosen by the device that asks. */
  requestId: Hex;
  /** The patient whose key is to be recovered. */
  patient: Address;
  /** The backup the guardians' shares come from. */
  backupId: Hex;
  /** The X25519 public key the guardians seal their shares to. */
  recoveryKey: Hex;
  /** Unix seconds. */
  createdAt: number;
};

const tag = 'medledger/v1 key-recovery-request';
const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const hash32 = /^0x[0-9a-f]{64}$/;
const address = /^0x[0-9a-f]{40}$/;

/**
 * The request with hex in lower case, checked; throws `InvalidInputError` naming the bad field.
 *
 * @example
 * const request = normalizeRecoveryRequest(fromGateway);
 */
export function normalizeRecoveryRequest(request: RecoveryRequest): RecoveryRequest {
  const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);
  const normalized = {
    requestId: lower(request.requestId),
    patient: lower(request.patient),
    backupId: lower(request.backupId),
    recoveryKey: lower(request.recoveryKey),
    createdAt: request.createdAt,
  };
  for (const field of ['requestId', 'backupId', 'recoveryKey'] as const) {
    if (typeof normalized[field] !== 'string' || !hash32.test(normalized[field] as string)) {
      throw new InvalidInputError(`Invalid recovery request: ${field} must be 32 bytes of hex.`);
    }
  }
  if (typeof normalized.patient !== 'string' || !address.test(normalized.patient)) {
    throw new InvalidInputError('Invalid recovery request: patient must be an address.');
  }
  if (!Number.isSafeInteger(normalized.createdAt) || normalized.createdAt < 0) {
    throw new InvalidInputError('Invalid recovery request: createdAt must be unix seconds.');
  }
  return normalized as RecoveryRequest;
}

/**
 * The verification code of a request (see the module comment).
 *
 * @example
 * recoveryRequestCode(request); // '7KQ2-M9XD-4RTA-WZ1E'
 */
export function recoveryRequestCode(request: RecoveryRequest): string {
  const r = normalizeRecoveryRequest(request);
  const digest = sha256(
    utf8ToBytes(JSON.stringify([tag, r.requestId, r.patient, r.backupId, r.recoveryKey, r.createdAt])),
  );
  let bits = 0;
  let value = 0;
  let code = '';
  for (const byte of digest.subarray(0, 10)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      code += crockford[(value >> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  return code.match(/.{4}/g)!.join('-');
}

/**
 * True when `typed` is `code` as a person may type it: any case, with or without dashes and
 * spaces, and Crockford's look-alikes (O for 0, I and L for 1).
 *
 * @example
 * sameRecoveryCode('7kq2 m9xd 4rta wz1e', '7KQ2-M9XD-4RTA-WZ1E'); // true
 */
export function sameRecoveryCode(typed: string, code: string): boolean {
  const canonical = (text: string) =>
    text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return canonical(typed) === canonical(code);
}
