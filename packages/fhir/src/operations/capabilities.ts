/**
 * `GET /fhir/metadata`: a CapabilityStatement of what this server does, and only that: per type,
 * the interactions served and the search parameters of `searchParameters.ts`; transaction and
 * batch; `Patient/$everything`.
 */
import { InvalidInputError } from '@medledger/core';
import { fhirReasons } from '../outcome.ts';
import { includesOf, recordResourceTypes, searchParametersOf } from '../searchParameters.ts';
import { isLedgerResourceType, ledgerResourceTypes } from './ledgerResources.ts';

/** The types served: those a record may hold, Patient (each patient has one), and those derived from the ledger. */
export function servedResourceTypes(): string[] {
  return [...new Set([...recordResourceTypes(), 'Patient', ...ledgerResourceTypes])].sort();
}

/** Refuses a type this server does not serve (404, as FHIR asks for an unsupported type). */
export function requireServedType(type: string): void {
  if (!servedResourceTypes().includes(type)) {
    throw new InvalidInputError(`This server does not serve ${type} resources.`, {
      reason: fhirReasons.unsupportedType,
    });
  }
}

/**
 * @example
 * const statement = capabilityStatement('http://127.0.0.1:8090/fhir');
 */
export function capabilityStatement(base: string) {
  const writable = new Set(recordResourceTypes());
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    publisher: 'medledger',
    kind: 'instance',
    software: { name: 'medledger FHIR server' },
    implementation: {
      description:
        'Records of a medledger ledger as FHIR R4, read and written as one user: encrypted and decrypted where that user’s key is.',
      url: base,
    },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Every resource is a record of one patient, anchored on the ledger. Search is in the patient compartment: ' +
          'name the patient (patient= or subject=), except a patient searching their own. Records are never deleted; ' +
          'an update is a new version superseding the latest. Paging by _count and _offset.',
        resource: servedResourceTypes().map((type) => ({
          type,
          versioning: isLedgerResourceType(type) ? 'no-version' : 'versioned',
          readHistory: !isLedgerResourceType(type),
          updateCreate: false,
          conditionalCreate: writable.has(type),
          conditionalRead: 'not-supported',
          conditionalUpdate: false,
          conditionalDelete: 'not-supported',
          interaction: isLedgerResourceType(type)
            ? [{ code: 'read' }, { code: 'search-type' }]
            : [
                { code: 'read' },
                { code: 'vread' },
                { code: 'history-instance' },
                { code: 'search-type' },
                ...(writable.has(type) ? [{ code: 'create' }, { code: 'update' }] : []),
              ],
          searchInclude: includesOf(type),
          searchParam: searchParametersOf(type).map((parameter) => ({
            name: parameter.name,
            type: parameter.type,
            documentation: parameter.documentation,
          })),
          ...(type === 'Patient'
            ? {
                operation: [
                  {
                    name: 'everything',
                    definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
                  },
                ],
              }
            : {}),
        })),
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        searchParam: [
          { name: '_count', type: 'number', documentation: 'entries per page (at most 1000; default 50)' },
          { name: '_offset', type: 'number', documentation: 'entries skipped (paging links use it)' },
          { name: '_sort', type: 'string', documentation: 'date, _lastUpdated or _id; - for descending' },
        ],
      },
    ],
  };
}
