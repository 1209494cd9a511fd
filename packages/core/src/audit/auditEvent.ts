/**
 * The canonical encoding of an audit event (design flow 7) and its 32-byte hash, the value that
 * the audit Merkle tree commits to (`auditMerkle.ts`).
 *
 * An audit event is one access decision, FHIR AuditEvent-shaped, never health data. Its
 * encoding is the UTF-8 bytes of the JSON array (no whitespace, `JSON.stringify` escaping):
 *
 *   ["medledger/v1 audit-event", sequence, eventId, recordedAt, actor, patient, action,
 *    recordId, category, sensitivity, purpose, outcome, reason]
 *
 * - `sequence`: the event's position in its gateway's log, a JSON integer (decimal digits),
 *   0 ≤ sequence ≤ 2^53 − 1 (the store's numbers);
 * - `eventId`: the string as recorded (a random UUID at the gateway), unchanged;
 * - `recordedAt`: unix milliseconds, a JSON integer (an ISO 8601 UTC string such as the HTTP API's
 *   "2026-01-01T00:00:00.000Z" is converted to it);
 * - `actor`, `patient`: 0x addresses in lower case; `patient` may be null;
 * - `recordId`: 32 bytes of lower-case 0x hex, or null;
 * - `category`, `sensitivity`: the vocabulary names ("lab", "restricted"), or null (a vocabulary
 *   index, as the store keeps them, is converted to its name);
 * - `action`: a non-empty string (read, list, append, share, …); `outcome`: "allowed" or "denied";
 * - `purpose`, `reason`: strings as recorded, or null.
 *
 * Strings must be well-formed Unicode (no lone surrogates) and are hashed as given (no Unicode
 * normalisation). The event hash is keccak256 of those bytes. `eventId` being random, the hash of
 * someone else's event reveals nothing about it, which lets a gateway hand out the hashes of all
 * the events of a batch (see `verifyAuditLog`).
 */
import type { Address, Hex } from 'viem';
import { keccak256 } from 'viem';
import { utf8ToBytes } from '../bytes.ts';
import { InvalidInputError } from '../errors.ts';
import { type Category, categories, type Sensitivity, sensitivities } from '../vocabulary.ts';

export type AuditOutcome = 'allowed' | 'denied';

/** An audit event as the gateway stores it or as its API returns it (with `sequence`). */
export type AuditEventInput = {
  /** Position in the gateway's audit log: 0, 1, 2, … without gaps. */
  sequence: number | bigint;
  eventId: string;
  /** Unix milliseconds, or an ISO 8601 UTC string with milliseconds ("…T…:…:….sssZ"). */
  recordedAt: number | string;
  actor: Address;
  patient?: Address | null;
  action: string;
  recordId?: Hex | null;
  /** A category name, or its vocabulary index. */
  category?: Category | number | null;
  /** A sensitivity name, or its vocabulary index. */
  sensitivity?: Sensitivity | number | null;
  purpose?: string | null;
  outcome: AuditOutcome;
  reason?: string | null;
};

/** The normalised values that are encoded (see the module comment). */
export type CanonicalAuditEvent = {
  sequence: number;
  eventId: string;
  recordedAt: number;
  actor: Address;
  patient: Address | null;
  action: string;
  recordId: Hex | null;
  category: Category | null;
  sensitivity: Sensitivity | null;
  purpose: string | null;
  outcome: AuditOutcome;
  reason: string | null;
};

export type AuditEventLeafErrorType = InvalidInputError;

/** First element of the encoding (domain separation). */
export const auditEventTag = 'medledger/v1 audit-event';

const addressPattern = /^0x[0-9a-fA-F]{40}$/;
const hash32Pattern = /^0x[0-9a-fA-F]{64}$/;
const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const maxStringLength = 4096;

/**
 * The 32-byte hash of an audit event: keccak256 of `encodeAuditEvent(event)`.
 *
 * @example
 * const eventHash = auditEventLeaf({ sequence: 7, eventId, recordedAt: Date.now(), actor, patient,
 *   action: 'read', recordId, category: 'lab', sensitivity: 'normal', purpose: 'treatment',
 *   outcome: 'allowed', reason: null });
 */
export function auditEventLeaf(event: AuditEventInput): Hex {
  return keccak256(encodeAuditEvent(event));
}

/**
 * The canonical bytes of an audit event (see the module comment); throws `InvalidInputError`.
 *
 * @example
 * bytesToUtf8(encodeAuditEvent(event)); // '["medledger/v1 audit-event",7,"3f0c…",1767225600000,"0xab…",…]'
 */
export function encodeAuditEvent(event: AuditEventInput): Uint8Array {
  const e = canonicalAuditEvent(event);
  const rest = JSON.stringify([
    e.eventId,
    e.recordedAt,
    e.actor,
    e.patient,
    e.action,
    e.recordId,
    e.category,
    e.sensitivity,
    e.purpose,
    e.outcome,
    e.reason,
  ]);
  return utf8ToBytes(`[${JSON.stringify(auditEventTag)},${e.sequence},${rest.slice(1)}`);
}

/**
 * Checks and normalises an audit event (lower-case addresses and hex, names for vocabulary
 * indexes, milliseconds for ISO times, null for absent values); throws `InvalidInputError`.
 *
 * @example
 * canonicalAuditEvent({ ...event, category: 3 }).category; // 'lab'
 */
export function canonicalAuditEvent(event: AuditEventInput): CanonicalAuditEvent {
  if (typeof event !== 'object' || event === null) throw invalid('event', 'an object');
  return {
    sequence: auditSequence(event.sequence),
    eventId: text(event.eventId, 'eventId', false)!,
    recordedAt: time(event.recordedAt),
    actor: address(event.actor, 'actor', false)!,
    patient: address(event.patient, 'patient', true),
    action: text(event.action, 'action', false)!,
    recordId: recordId(event.recordId),
    category: vocabulary(event.category, categories, 'category'),
    sensitivity: vocabulary(event.sensitivity, sensitivities, 'sensitivity'),
    purpose: text(event.purpose, 'purpose', true),
    outcome: outcome(event.outcome),
    reason: text(event.reason, 'reason', true),
  };
}

/**
 * A sequence number as a safe integer; throws `InvalidInputError` unless 0 ≤ n ≤ 2^53 − 1.
 *
 * @example
 * auditSequence(7n); // 7
 */
export function auditSequence(value: unknown): number {
  const n = typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw invalid('sequence', 'an integer from 0 to 2^53 - 1');
  }
  return n;
}

function text(value: unknown, field: string, nullable: boolean): string | null {
  if (nullable && (value === null || value === undefined)) return null;
  if (typeof value !== 'string' || (!nullable && value.length === 0) || value.length > maxStringLength) {
    throw invalid(
      field,
      `${nullable ? 'null or ' : 'a non-empty '}string of at most ${maxStringLength} characters`,
    );
  }
  if (!value.isWellFormed()) throw invalid(field, 'well-formed Unicode (no lone surrogates)');
  return value;
}

function time(value: unknown): number {
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!isoPattern.test(value) || !Number.isFinite(ms) || new Date(ms).toISOString() !== value) {
      throw invalid('recordedAt', 'an ISO 8601 UTC time with milliseconds, e.g. 2026-01-01T00:00:00.000Z');
    }
    return ms;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid('recordedAt', 'unix milliseconds (a non-negative integer)');
  }
  return value;
}

function address(value: unknown, field: string, nullable: boolean): Address | null {
  if (nullable && (value === null || value === undefined)) return null;
  if (typeof value !== 'string' || !addressPattern.test(value)) throw invalid(field, 'a 0x address');
  return value.toLowerCase() as Address;
}

function recordId(value: unknown): Hex | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || !hash32Pattern.test(value))
    throw invalid('recordId', '32 bytes of 0x hex');
  return value.toLowerCase() as Hex;
}

function vocabulary<T extends string>(value: unknown, names: readonly T[], field: string): T | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < names.length) {
    return names[value]!;
  }
  if (typeof value === 'string' && names.includes(value as T)) return value as T;
  throw invalid(field, `a known ${field} (name or index) or null`);
}

function outcome(value: unknown): AuditOutcome {
  if (value !== 'allowed' && value !== 'denied') throw invalid('outcome', '"allowed" or "denied"');
  return value;
}

function invalid(field: string, expected: string): InvalidInputError {
  return new InvalidInputError(`Invalid audit event: ${field} must be ${expected}.`);
}
