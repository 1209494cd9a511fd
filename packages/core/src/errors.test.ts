import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorReport } from './errorReport.ts';
import {
  AccessDeniedError,
  ConflictError,
  CryptoError,
  exitCodeOf,
  httpStatusOf,
  IntegrityError,
  InvalidInputError,
  LedgerUnavailableError,
  MedledgerError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
} from './errors.ts';

describe('errors', () => {
  it('gives each subclass a fixed name, code, HTTP status and exit code', () => {
    const table = [
      [new InvalidInputError('x'), 'InvalidInputError', 'invalid_input', 400, 2],
      [new UnauthenticatedError('x'), 'UnauthenticatedError', 'unauthenticated', 401, 3],
      [new AccessDeniedError('x'), 'AccessDeniedError', 'access_denied', 403, 3],
      [new NotFoundError('x'), 'NotFoundError', 'not_found', 404, 1],
      [new ConflictError('x'), 'ConflictError', 'conflict', 409, 1],
      [new IntegrityError('x'), 'IntegrityError', 'integrity', 422, 1],
      [new LedgerUnavailableError('x'), 'LedgerUnavailableError', 'ledger_unavailable', 503, 1],
      [new CryptoError('x'), 'CryptoError', 'crypto', 500, 1],
      [new RateLimitedError('x'), 'RateLimitedError', 'rate_limited', 429, 3],
      [new MedledgerError('x'), 'MedledgerError', 'internal', 500, 1],
    ] as const;
    for (const [error, name, code, status, exit] of table) {
      assert.ok(error instanceof MedledgerError && error instanceof Error);
      assert.equal(error.name, name);
      assert.equal(error.code, code);
      assert.equal(httpStatusOf(error), status);
      assert.equal(exitCodeOf(error), exit);
    }
    assert.equal(httpStatusOf(new TypeError('boom')), 500);
    assert.equal(exitCodeOf(new TypeError('boom')), 1);
    assert.equal(exitCodeOf(undefined), 0);
  });

  it('composes the message from the short message, meta messages and details', () => {
    const cause = new Error('socket hang up');
    const error = new LedgerUnavailableError('Cannot read the ledger.', {
      cause,
      metaMessages: ['RPC: http://x'],
    });
    assert.equal(error.shortMessage, 'Cannot read the ledger.');
    assert.equal(error.details, 'socket hang up');
    assert.equal(error.message, 'Cannot read the ledger.\n\nRPC: http://x\n\nDetails: socket hang up');
    assert.equal(error.cause, cause);
    assert.equal(new NotFoundError('Gone.').message, 'Gone.');
  });

  it('walks the chain of causes', () => {
    const root = new TypeError('root');
    const denied = new AccessDeniedError('No grant.', { cause: root });
    const outer = new MedledgerError('Read failed.', { cause: denied });
    assert.equal(outer.walk(), root);
    assert.equal(
      outer.walk((e) => e instanceof AccessDeniedError),
      denied,
    );
    assert.equal(
      outer.walk((e) => e instanceof ConflictError),
      undefined,
    );
  });

  it("reports an error for a command line: a person's lines, or one JSON line for a program", () => {
    const error = new LedgerUnavailableError('No chain answers.', {
      reason: 'no_chain',
      metaMessages: ['Is the node running?'],
      cause: new Error('ECONNREFUSED'),
    });
    assert.equal(
      errorReport(error, false),
      'error: No chain answers.\nIs the node running?\n  (ECONNREFUSED)\n',
    );
    assert.deepEqual(JSON.parse(errorReport(error, true)), {
      error: {
        code: 'ledger_unavailable',
        reason: 'no_chain',
        message: 'No chain answers.',
        details: 'ECONNREFUSED',
      },
    });
    assert.ok(errorReport(error, true).endsWith('}\n'));
    assert.equal(errorReport(new MedledgerError('Oops.', { details: 'stack' }), false), 'error: Oops.\n');
    assert.equal(errorReport(new TypeError('boom'), false), 'error: boom\n');
    assert.deepEqual(JSON.parse(errorReport(new TypeError('boom'), true)), {
      error: { code: 'internal', message: 'boom' },
    });
  });
});
