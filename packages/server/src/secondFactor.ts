/**
 * A patient's second factor for approvals (seed 002's U_OTP): a TOTP (RFC 6238) one-time code that
 * the gateway checks before it relays the patient's grant of consent or approval of an access request.
 * The same factor (one per account) is what organisation members give at sign-in, under their
 * organisation's policy (`operations/staffSecondFactor.ts`).
 *
 * - Enrolment: the gateway creates a random 160-bit secret and hands out an `otpauth://` URI once;
 *   the second factor is on only after the patient confirms it with a first valid code.
 * - At rest the secret is encrypted (AES-256-GCM) with the gateway's own key, the patient's address
 *   as associated data; it is never logged and never answered again.
 * - A code is accepted for its 30-second step and one step either side (clock drift); a step once
 *   accepted, or any earlier one, is refused, so a code cannot be used twice.
 * - Five wrong (or reused) codes within 15 minutes lock the patient's second factor until the oldest
 *   of them is 15 minutes old; while locked even a right code is refused (HTTP 429).
 * - Refusals carry a stable reason: `otp_required` (no code), `otp_wrong` (wrong or expired) and
 *   `otp_code_used` (a step already accepted), both with `attemptsLeft` before the lock, and
 *   `otp_locked` with `lockedUntil` (unix seconds).
 *
 * HMAC and TOTP come from the `otpauth` library; nothing here is hand-rolled cryptography.
 */
import {
  AccessDeniedError,
  ConflictError,
  decryptAesGcm,
  encryptAesGcm,
  NotFoundError,
  RateLimitedError,
  utf8ToBytes,
} from '@medledger/core';
import { Secret, TOTP } from 'otpauth';
import type { Address } from 'viem';
import type { GatewayStore, SecondFactorRow } from './store/gatewayStore.ts';

const algorithm = 'SHA1';
const digits = 6;
const periodSeconds = 30;
/** Steps accepted either side of the current one. */
const window = 1;
export const maxFailures = 5;
export const failureWindowMs = 15 * 60_000;

export interface SecondFactorOptions {
  store: GatewayStore;
  /** The gateway's 32-byte key that encrypts secrets at rest. */
  key: Uint8Array;
  /** Shown by authenticator apps. */
  issuer?: string;
  /** Milliseconds since the epoch (tests may move it). */
  now?: () => number;
}

export type SecondFactor = ReturnType<typeof createSecondFactor>;

export function createSecondFactor({
  store,
  key,
  issuer = 'medledger',
  now = Date.now,
}: SecondFactorOptions) {
  const associatedData = (address: Address) =>
    utf8ToBytes(`medledger second factor v1 ${address.toLowerCase()}`);

  async function status(address: Address): Promise<{ enabled: boolean; pending: boolean }> {
    const row = await store.secondFactor(address);
    return { enabled: row?.enabled ?? false, pending: row !== undefined && !row.enabled };
  }

  /** Creates a fresh secret (replacing an unconfirmed one) and returns its `otpauth://` URI. */
  async function startEnrolment(address: Address): Promise<{ uri: string }> {
    if ((await store.secondFactor(address))?.enabled) {
      throw new ConflictError('The one-time code is already on; turn it off first to enrol a new device.', {
        reason: 'otp_already_enabled',
      });
    }
    const secret = new Secret({ size: 20 });
    const sealed = encryptAesGcm(key, secret.bytes, associatedData(address));
    await store.saveSecondFactor({
      address,
      secretIv: sealed.iv,
      secretCiphertext: sealed.ciphertext,
      enabled: false,
      lastCounter: -1,
    });
    const totp = new TOTP({
      issuer,
      label: address.toLowerCase(),
      secret,
      algorithm,
      digits,
      period: periodSeconds,
    });
    return { uri: totp.toString() };
  }

  /**
   * Turns the second factor on with a first valid code of the enrolled secret. `beforeEnabling` runs
   * after the code is accepted and before the factor is on: if it fails, the enrolment stays pending.
   */
  async function confirmEnrolment(
    address: Address,
    code: string,
    beforeEnabling: () => Promise<void> = async () => {},
  ): Promise<void> {
    const row = await store.secondFactor(address);
    if (!row) {
      throw new NotFoundError('No one-time code enrolment is under way: start one first.', {
        reason: 'otp_not_enrolled',
      });
    }
    if (row.enabled)
      throw new ConflictError('The one-time code is already on.', { reason: 'otp_already_enabled' });
    await check(row, code);
    await beforeEnabling();
    const current = await store.secondFactor(address);
    if (!current || !sameBytes(current.secretCiphertext, row.secretCiphertext)) {
      throw new ConflictError('The enrolment was restarted meanwhile; confirm the new one.', {
        reason: 'otp_enrolment_restarted',
      });
    }
    await store.saveSecondFactor({ ...current, enabled: true });
  }

  /**
   * Before relaying an approval of `address`: nothing when its second factor is off, else the code
   * must be right, current and unused.
   */
  async function requireCode(address: Address, code: string | undefined): Promise<void> {
    const row = await store.secondFactor(address);
    if (!row?.enabled) return;
    if (!code) {
      throw new AccessDeniedError(
        'This patient approves only with the current one-time code of its authenticator (--otp CODE).',
        { reason: 'otp_required' },
      );
    }
    await check(row, code);
  }

  /**
   * Turns the second factor off; needs a valid code. `beforeDisabling` runs after the code is
   * accepted: if it fails, the factor stays on.
   */
  async function disable(
    address: Address,
    code: string,
    beforeDisabling: () => Promise<void> = async () => {},
  ): Promise<void> {
    const row = await store.secondFactor(address);
    if (!row?.enabled) throw new NotFoundError('The one-time code is not on.', { reason: 'otp_not_enabled' });
    await check(row, code);
    await beforeDisabling();
    await store.deleteSecondFactor(address);
  }

  /**
   * Removes the second factor of `address`, on or pending, without a code, and forgets its failed
   * attempts: for an organisation's admin resetting a member's (`operations/staffSecondFactor.ts`).
   */
  async function reset(address: Address): Promise<void> {
    await store.deleteSecondFactor(address);
    await store.clearSecondFactorFailures(address);
  }

  async function check(row: SecondFactorRow, code: string): Promise<void> {
    const { address } = row;
    const at = now();
    const failures = await store.secondFactorFailures(address, at - failureWindowMs);
    if (failures.length >= maxFailures) throw lockedError(failures, at);

    const secretBytes = decryptAesGcm(
      key,
      { iv: row.secretIv, ciphertext: row.secretCiphertext },
      associatedData(address),
    );
    const secret = new Secret({ buffer: secretBytes.slice().buffer });
    secretBytes.fill(0);
    const delta = TOTP.validate({
      token: code,
      secret,
      algorithm,
      digits,
      period: periodSeconds,
      timestamp: at,
      window,
    });
    if (delta === null) {
      throw await failure(address, at, failures, 'otp_wrong', 'The one-time code is wrong or expired.');
    }
    const counter = TOTP.counter({ period: periodSeconds, timestamp: at }) + delta;
    if (!(await store.useSecondFactorCounter(address, counter))) {
      throw await failure(
        address,
        at,
        failures,
        'otp_code_used',
        'This one-time code was already used; wait for the next one (a new code every 30 seconds).',
      );
    }
    await store.clearSecondFactorFailures(address);
  }

  /** Records a refused code: `reason` says why (wrong or expired, or used), `attemptsLeft` before the lock. */
  async function failure(
    address: Address,
    at: number,
    earlier: number[],
    reason: 'otp_wrong' | 'otp_code_used',
    message: string,
  ) {
    await store.recordSecondFactorFailure(address, at);
    const failures = [...earlier, at];
    if (failures.length >= maxFailures) return lockedError(failures, at);
    const left = maxFailures - failures.length;
    return new AccessDeniedError(
      `${message} ${left} more wrong code${left === 1 ? '' : 's'} within 15 minutes will lock approvals for 15 minutes.`,
      { reason, fields: { attemptsLeft: left } },
    );
  }

  return { status, startEnrolment, confirmEnrolment, requireCode, disable, reset };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/**
 * Locked until the failure that completed the count falls out of the 15-minute window: reason
 * `otp_locked`, field `lockedUntil` in unix seconds.
 */
function lockedError(failures: number[], at: number): RateLimitedError {
  const until = (failures[failures.length - maxFailures] ?? at) + failureWindowMs;
  const minutes = Math.max(1, Math.ceil((until - at) / 60_000));
  return new RateLimitedError(
    `Too many wrong one-time codes: approvals are locked until ${new Date(until).toISOString()} ` +
      `(about ${minutes} minute${minutes === 1 ? '' : 's'}).`,
    { reason: 'otp_locked', fields: { lockedUntil: Math.ceil(until / 1000) } },
  );
}
