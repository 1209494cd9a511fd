/**
 * `ApiType<typeof schema>`: the TypeScript type of what a schema admits, with the API's string
 * formats as viem's types (an address pattern gives `Address`, a 32-byte hex pattern `Hex`).
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { Address, Hex } from 'viem';

type Deserialize = [
  { pattern: { type: 'string'; pattern: '^0x[0-9a-fA-F]{40}$' }; output: Address },
  { pattern: { type: 'string'; pattern: '^0x[0-9a-fA-F]{64}$' }; output: Hex },
  { pattern: { type: 'string'; pattern: '^0x[0-9a-fA-F]{130}$' }; output: Hex },
  { pattern: { type: 'string'; pattern: '^0x[0-9a-fA-F]*$' }; output: Hex },
];

/** The `json-schema-to-ts` options `ApiType` derives with (for a Fastify type provider to use the same). */
export type ApiTypeOptions = { deserialize: Deserialize };

export type ApiType<S extends JSONSchema> = FromSchema<S, ApiTypeOptions>;
