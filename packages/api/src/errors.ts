/**
 * The error body every route answers with on failure. `code` is the coarse class (it sets the HTTP
 * status), `reason` the stable case within it (e.g. `otp_locked`, `no_consent`, `ledger_recovering`;
 * the code itself when there is no finer case), `fields` structured facts about the case (e.g.
 * `lockedUntil`). Callers tell errors apart by `code`, `reason` and `fields`, never by `message`,
 * which is for people.
 */
import type { ApiType } from './apiType.ts';
import { object } from './schemaParts.ts';

export const errorCodes = [
  'internal',
  'invalid_input',
  'unauthenticated',
  'access_denied',
  'not_found',
  'conflict',
  'gone',
  'integrity',
  'ledger_unavailable',
  'crypto',
  'rate_limited',
  'overloaded',
] as const;

export const errorBody = object(
  {
    error: object(
      {
        code: { type: 'string', enum: errorCodes },
        reason: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', description: 'stable, snake_case' },
        message: { type: 'string', description: 'for people; never parsed' },
        details: { type: 'string' },
        fields: {
          type: 'object',
          description: 'structured facts about this case, by reason (e.g. lockedUntil for otp_locked)',
          additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
        },
      },
      ['code', 'reason', 'message'],
    ),
  },
  ['error'],
);

export type ErrorBody = ApiType<typeof errorBody>;

/** The `response` entry every route shares for its error answers. */
export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

/** @deprecated The old name of `errorBody`, until every route uses `errorResponses`. */
export const errorResponse = errorBody;
