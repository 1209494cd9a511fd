/** The system area: what a client needs to know about a gateway and its chain. */
import type { ApiType } from './apiType.ts';
import { delegateKind } from './delegates.ts';
import { address, bytes32, hex, object, oneTimeCode, signature, uint8 } from './schemaParts.ts';
import { staffSecondFactorAttestation } from './staffSecondFactor.ts';

const integers = { type: 'array', items: { type: 'integer' } } as const;

/** `GET /api/ledger`: chain, contracts, custody, and this gateway's custodian key. */
export const ledgerInfo = object(
  {
    chainId: { type: 'integer' },
    rpcUrl: { type: 'string', description: 'this gateway’s read-only JSON-RPC endpoint (POST /rpc)' },
    contracts: object(
      {
        consortium: address,
        consents: address,
        records: address,
        auditAnchors: address,
        coSignatures: address,
        emergencies: address,
        orders: address,
        delegates: address,
        recordActions: address,
      },
      [
        'consortium',
        'consents',
        'records',
        'auditAnchors',
        'coSignatures',
        'emergencies',
        'orders',
        'delegates',
        'recordActions',
      ],
    ),
    custodian: object({ encryptionKey: hex, organisationIds: integers }, [
      'encryptionKey',
      'organisationIds',
    ]),
    relayer: { ...address, description: 'the account this gateway relays transactions with' },
    custody: object(
      {
        custodians: { ...integers, description: 'custodian organisations' },
        threshold: { type: 'integer', description: 'how many custodians a read needs' },
        version: { type: 'integer' },
      },
      ['custodians', 'threshold', 'version'],
    ),
  },
  ['chainId', 'rpcUrl', 'contracts', 'custodian', 'relayer', 'custody'],
);
export type LedgerInfo = ApiType<typeof ledgerInfo>;

/** `GET /api/health`: answered 200 only while the gateway serves (its chain answers and holds what it acknowledged). */
export const health = object(
  {
    status: { type: 'string', const: 'ok' },
    chainId: { type: 'integer' },
    blockNumber: { type: 'integer' },
    ledger: object(
      {
        state: { type: 'string', enum: ['ok', 'recovering', 'unavailable'] },
        pendingActions: { type: 'integer', description: 'signed actions journaled and not yet mined' },
        checkpointBlock: {
          type: 'integer',
          description: 'the last block known to hold what was acknowledged',
        },
      },
      ['state', 'pendingActions', 'checkpointBlock'],
    ),
  },
  ['status', 'chainId', 'blockNumber', 'ledger'],
);
export type Health = ApiType<typeof health>;

/** `POST /api/auth/challenge`: a single-use nonce for an EIP-4361 sign-in message. */
export const signInChallenge = object(
  {
    nonce: { type: 'string' },
    expiresAt: { type: 'integer', description: 'milliseconds since the epoch' },
    chainId: { type: 'integer' },
  },
  ['nonce', 'expiresAt', 'chainId'],
);
export type SignInChallenge = ApiType<typeof signInChallenge>;

/**
 * `POST /api/auth/session`: a signed EIP-4361 message, and the member's one-time code when its
 * organisation's policy or its own enrolment asks for one, and, at another organisation's gateway, its
 * home gateway's attestation when that gateway requires a code of it (`staffSecondFactor.ts`).
 */
export const signInBody = object(
  {
    message: { type: 'string', maxLength: 4096 },
    signature,
    otp: oneTimeCode,
    attestation: staffSecondFactorAttestation,
  },
  ['message', 'signature'],
);
export type SignInBody = ApiType<typeof signInBody>;

/**
 * A session token (sent as `Authorization: Bearer`) and its two limits: it ends at `expiresAt` however
 * much it is used, and earlier once unused for `idleTimeoutSeconds`. Either way the gateway answers
 * 401 with reason `session_unknown`, and the client signs in again.
 */
export const signedIn = object(
  {
    token: { type: 'string' },
    address,
    expiresAt: {
      type: 'integer',
      description: 'the session’s absolute end, milliseconds since the epoch',
    },
    idleTimeoutSeconds: {
      type: 'integer',
      description:
        'the session ends once unused for this long; the gateway records use at most once a minute ' +
        '(a quarter of this when shorter), so count from that much before the last request',
    },
  },
  ['token', 'address', 'expiresAt', 'idleTimeoutSeconds'],
);
export type SignedIn = ApiType<typeof signedIn>;

/** `DELETE /api/auth/sessions`: how many sessions of the account were ended, the caller's included. */
export const sessionsEnded = object(
  { ended: { type: 'integer', minimum: 0, description: 'sessions ended, the caller’s own included' } },
  ['ended'],
);
export type SessionsEnded = ApiType<typeof sessionsEnded>;

/** `GET /api/me`: who the session belongs to on the ledger. */
export const me = object(
  {
    address,
    member: {
      anyOf: [
        object(
          {
            organisationId: { type: 'integer' },
            role: uint8,
            active: { type: 'boolean' },
            encryptionKey: bytes32,
          },
          ['organisationId', 'role', 'active', 'encryptionKey'],
        ),
        { type: 'null' },
      ],
      description: 'the account as a member (role as its code), null when it is none',
    },
    patient: {
      anyOf: [
        object(
          { registered: { type: 'boolean' }, encryptionKey: bytes32, organisationId: { type: 'integer' } },
          ['registered', 'encryptionKey', 'organisationId'],
        ),
        { type: 'null' },
      ],
      description: 'the account as a patient, null when it is none',
    },
    delegateOf: {
      type: 'array',
      items: object({ patient: address, kind: delegateKind }, ['patient', 'kind']),
      description:
        'the patients who registered the account as their delegate (family, caregiver, researcher) and have ' +
        'not removed it, as this gateway indexed them; empty when none',
    },
  },
  ['address', 'member', 'patient', 'delegateOf'],
);
export type Me = ApiType<typeof me>;
