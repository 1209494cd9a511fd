/**
 * JSON Schema fragments the API's schemas are built from. Each is a plain `as const` object: the
 * server validates and documents with it, `ApiType` derives the TypeScript type from it.
 */
import { actions, categories, organisationKinds, roles, sensitivities } from '@medledger/core';

export const address = {
  type: 'string',
  pattern: '^0x[0-9a-fA-F]{40}$',
  description: 'Ethereum address',
} as const;
export const hex = { type: 'string', pattern: '^0x[0-9a-fA-F]*$' } as const;
export const bytes32 = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } as const;
export const signature = {
  type: 'string',
  pattern: '^0x[0-9a-fA-F]{130}$',
  description: '65-byte secp256k1 signature',
} as const;
export const uint256 = {
  type: 'string',
  pattern: '^[0-9]{1,78}$',
  description: 'unsigned integer, decimal',
} as const;
export const uint8 = { type: 'integer', minimum: 0, maximum: 255 } as const;
export const uint32 = { type: 'integer', minimum: 0, maximum: 4_294_967_295 } as const;
export const uint64 = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
export const cid = {
  type: 'string',
  pattern: '^b[a-z2-7]{20,100}$',
  description: 'CIDv1 (raw, sha2-256)',
} as const;
export const base64url = { type: 'string', pattern: '^[A-Za-z0-9_-]*$' } as const;

export const category = { type: 'string', enum: [...categories] } as const;
export const sensitivity = { type: 'string', enum: [...sensitivities] } as const;
export const action = { type: 'string', enum: [...actions] } as const;
export const role = { type: 'string', enum: [...roles] } as const;
export const organisationKind = { type: 'string', enum: [...organisationKinds] } as const;

/** The nonce, deadline and signature every signed action carries. */
export const signedFields = { nonce: uint256, deadline: uint256, signature } as const;

export function object<
  const P extends Record<string, unknown>,
  const R extends readonly (keyof P & string)[] = [],
>(properties: P, required?: R) {
  return {
    type: 'object',
    additionalProperties: false,
    properties,
    required: (required ?? []) as R,
  } as const;
}

/**
 * A response documented loosely: serialised as is (a strict schema would drop undeclared fields).
 * Being replaced route by route with the response's own schema; do not use it for new routes.
 */
export const created = { type: 'object', additionalProperties: true } as const;

export const idParam = object({ id: { type: 'string', pattern: '^[0-9]{1,20}$' } }, ['id']);
export const transactionResult = {
  transactionHash: bytes32,
  blockNumber: { type: 'integer' },
} as const;

export const oneTimeCode = {
  type: 'string',
  pattern: '^[0-9]{6}$',
  description: 'the current 6-digit code of the authenticator',
} as const;

/** `schema` or null. */
export function nullable<const S>(schema: S) {
  return { anyOf: [schema, { type: 'null' }] } as const;
}

/** The `{ address }` path parameter. */
export const addressParam = object({ address }, ['address']);

/** The names of `signedFields`, for a signed action's `required` list. */
export const signedFieldNames = ['nonce', 'deadline', 'signature'] as const;
