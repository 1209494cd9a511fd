/** The gateway's error answers turned back into medledger errors, for every module that calls it. */
import type { ErrorBody } from '@medledger/api';
import {
  AccessDeniedError,
  ConflictError,
  GoneError,
  IntegrityError,
  InvalidInputError,
  LedgerUnavailableError,
  MedledgerError,
  NotFoundError,
  OverloadedError,
  RateLimitedError,
  UnauthenticatedError,
} from '@medledger/core';

const errorClasses = {
  invalid_input: InvalidInputError,
  unauthenticated: UnauthenticatedError,
  access_denied: AccessDeniedError,
  not_found: NotFoundError,
  conflict: ConflictError,
  gone: GoneError,
  integrity: IntegrityError,
  ledger_unavailable: LedgerUnavailableError,
  rate_limited: RateLimitedError,
  overloaded: OverloadedError,
} as const;

/** A gateway's error answer (an `ErrorBody`) as the matching medledger error, reason and fields kept. */
export function errorFromResponse(status: number, body: unknown): MedledgerError {
  const error = (body as Partial<ErrorBody> | undefined)?.error;
  const message = error?.message ?? `The gateway answered HTTP ${status}.`;
  const options = {
    ...(error?.details ? { details: error.details } : {}),
    ...(error?.reason ? { reason: error.reason } : {}),
    ...(error?.fields ? { fields: error.fields } : {}),
  };
  const ErrorClass = errorClasses[error?.code as keyof typeof errorClasses];
  return ErrorClass ? new ErrorClass(message, options) : new MedledgerError(message, options);
}
