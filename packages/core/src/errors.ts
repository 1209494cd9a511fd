/**
 * The one error hierarchy of medledger. Every error the project throws on purpose is a
 * `MedledgerError` with a stable `code`; adapters convert it once at the boundary
 * (`httpStatusOf` for the HTTP API, `exitCodeOf` for the CLI).
 *
 * `shortMessage` is the one-line summary for people; `message` adds the meta messages and the
 * details (the cause's message by default), like viem's `BaseError`.
 */

export type ErrorCode =
  | 'internal'
  | 'invalid_input'
  | 'unauthenticated'
  | 'access_denied'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'integrity'
  | 'ledger_unavailable'
  | 'crypto'
  | 'rate_limited'
  | 'overloaded';

export type MedledgerErrorOptions = {
  /** The error that caused this one. */
  cause?: unknown;
  /** Technical details; defaults to the cause's message. */
  details?: string;
  /** Extra lines shown under the short message (offending values, hints). */
  metaMessages?: string[];
  /**
   * A finer, stable reason within the code (snake_case), for callers that must tell cases apart,
   * e.g. `ledger_rewound` or `ledger_recovering` within `ledger_unavailable`.
   */
  reason?: string;
  /**
   * Structured facts about this case that callers may act on, e.g. `{ lockedUntil: 1767225600 }`
   * for `otp_locked`. Never health data or secrets: they travel in the HTTP error body.
   */
  fields?: ErrorFields;
};

/** Scalar facts carried with an error (see `MedledgerErrorOptions.fields`). */
export type ErrorFields = Record<string, string | number | boolean | null>;

export class MedledgerError extends Error {
  override name = 'MedledgerError';
  readonly code: ErrorCode = 'internal';
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: string[] | undefined;
  readonly reason: string | undefined;
  readonly fields: ErrorFields | undefined;

  constructor(shortMessage: string, options: MedledgerErrorOptions = {}) {
    const { cause, metaMessages } = options;
    const details = options.details ?? (cause instanceof Error ? cause.message : undefined);
    const message = [
      shortMessage,
      ...(metaMessages?.length ? ['', ...metaMessages] : []),
      ...(details ? ['', `Details: ${details}`] : []),
    ].join('\n');
    super(message, cause === undefined ? undefined : { cause });
    this.shortMessage = shortMessage;
    this.details = details;
    this.metaMessages = metaMessages;
    this.reason = options.reason;
    this.fields = options.fields;
  }

  /**
   * Walks the chain of causes, starting with this error. Returns the first error for which `fn`
   * returns true, or, without `fn`, the innermost cause.
   *
   * @example
   * const denied = error.walk((e) => e instanceof AccessDeniedError);
   */
  walk(fn?: (error: unknown) => boolean): unknown {
    let current: unknown = this;
    for (let depth = 0; depth < 100; depth++) {
      if (fn?.(current)) return current;
      const next = current instanceof Error ? current.cause : undefined;
      if (next === undefined) return fn ? undefined : current;
      current = next;
    }
    return fn ? undefined : current;
  }
}

/** The request is malformed or violates a rule on its values (HTTP 400, exit 2). */
export class InvalidInputError extends MedledgerError {
  override name = 'InvalidInputError';
  override readonly code = 'invalid_input';
}

/** The caller did not prove who they are (HTTP 401, exit 3). */
export class UnauthenticatedError extends MedledgerError {
  override name = 'UnauthenticatedError';
  override readonly code = 'unauthenticated';
}

/** The caller is known but not allowed to do this (HTTP 403, exit 3). */
export class AccessDeniedError extends MedledgerError {
  override name = 'AccessDeniedError';
  override readonly code = 'access_denied';
}

/** The thing asked for does not exist (HTTP 404). */
export class NotFoundError extends MedledgerError {
  override name = 'NotFoundError';
  override readonly code = 'not_found';
}

/** The request conflicts with the current state, e.g. an id already used (HTTP 409). */
export class ConflictError extends MedledgerError {
  override name = 'ConflictError';
  override readonly code = 'conflict';
}

/**
 * The thing asked for existed and was destroyed on purpose, e.g. an erased record (HTTP 410): asking
 * again, here or at another gateway, will not bring it back.
 */
export class GoneError extends MedledgerError {
  override name = 'GoneError';
  override readonly code = 'gone';
}

/** Data failed an integrity check: a tampered ciphertext, blob, hash or anchor (HTTP 422). */
export class IntegrityError extends MedledgerError {
  override name = 'IntegrityError';
  override readonly code = 'integrity';
}

/** The ledger cannot be read or written; every check that needs it fails closed (HTTP 503). */
export class LedgerUnavailableError extends MedledgerError {
  override name = 'LedgerUnavailableError';
  override readonly code = 'ledger_unavailable';
}

/** A cryptographic operation failed for a reason other than bad input or tampering (HTTP 500). */
export class CryptoError extends MedledgerError {
  override name = 'CryptoError';
  override readonly code = 'crypto';
}

/** Too many failed attempts: the caller must wait before trying again (HTTP 429, exit 3). */
export class RateLimitedError extends MedledgerError {
  override name = 'RateLimitedError';
  override readonly code = 'rate_limited';
}

/**
 * The server is at capacity (too many requests in flight or connections open): nothing was done,
 * retry after a moment (HTTP 503 with Retry-After). Shed at once instead of queued.
 */
export class OverloadedError extends MedledgerError {
  override name = 'OverloadedError';
  override readonly code = 'overloaded';
}

const httpStatusByCode: Record<ErrorCode, number> = {
  internal: 500,
  invalid_input: 400,
  unauthenticated: 401,
  access_denied: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  integrity: 422,
  ledger_unavailable: 503,
  crypto: 500,
  rate_limited: 429,
  overloaded: 503,
};

/**
 * The stable reason of any thrown value: its own `reason` when it has one, else its `code`.
 *
 * @example
 * reasonOf(new RateLimitedError('Locked', { reason: 'otp_locked' })); // 'otp_locked'
 */
export function reasonOf(error: unknown): string {
  return error instanceof MedledgerError ? (error.reason ?? error.code) : 'internal';
}

/** The stable code of any thrown value: its own for a `MedledgerError`, else `'internal'`. */
export function errorCodeOf(error: unknown): ErrorCode {
  return error instanceof MedledgerError ? error.code : 'internal';
}

/**
 * The HTTP status for a thrown value (500 for anything that is not a `MedledgerError`).
 *
 * @example
 * httpStatusOf(new NotFoundError('No such record')); // 404
 */
export function httpStatusOf(error: unknown): number {
  return httpStatusByCode[errorCodeOf(error)];
}

/**
 * The CLI exit code for a thrown value: 0 for none, 2 for invalid input, 3 for access denied,
 * unauthenticated or rate limited, 1 otherwise.
 *
 * @example
 * process.exitCode = exitCodeOf(error);
 */
export function exitCodeOf(error: unknown): 0 | 1 | 2 | 3 {
  if (error === undefined || error === null) return 0;
  const code = errorCodeOf(error);
  if (code === 'invalid_input') return 2;
  if (code === 'access_denied' || code === 'unauthenticated' || code === 'rate_limited') return 3;
  return 1;
}
