/**
 * medledger's HTTP API contract. One module per area holds its routes' request and response schemas
 * and the types derived from them; the server registers the schemas, the client imports the types.
 */
export type { ApiSchemaOptions, ApiType } from './apiType.ts';
export * from './consents.ts';
export * from './consortium.ts';
export * from './errors.ts';
export * from './keyRotation.ts';
export * from './schemaParts.ts';
export * from './system.ts';
