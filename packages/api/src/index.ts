/**
 * medledger's HTTP API contract. One module per area holds its routes' request and response schemas
 * and the types derived from them; the server registers the schemas, the client imports the types.
 */
export type { ApiType, ApiTypeOptions } from './apiType.ts';
export * from './appointments.ts';
export * from './audit.ts';
export * from './consents.ts';
export * from './consortium.ts';
export * from './consortiumVotes.ts';
export * from './coSignatures.ts';
export * from './delegates.ts';
export * from './directory.ts';
export * from './emergencies.ts';
export * from './errors.ts';
export * from './keyRecovery.ts';
export * from './keyRotation.ts';
export * from './ledgerRecords.ts';
export * from './notifications.ts';
export * from './orders.ts';
export * from './patientDirectory.ts';
export * from './recordDerivations.ts';
export * from './recordLifecycle.ts';
export * from './records.ts';
export * from './schemaParts.ts';
export * from './secondFactor.ts';
export * from './staffSecondFactor.ts';
export * from './system.ts';
