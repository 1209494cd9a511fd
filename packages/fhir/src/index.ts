/** medledger's FHIR R4 REST server: runs where a user's key is, speaks FHIR to the world, and the gateway's API to the ledger. */
export { createFhirServer, type FhirServerOptions } from './createFhirServer.ts';
export { recordIdOfLogicalId } from './fhirIds.ts';
export { fhirReasons, fhirStatusOf, type OperationOutcome, outcomeOfError } from './outcome.ts';
