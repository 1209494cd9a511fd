/**
 * The search parameters this server understands, per resource type, and how each one matches a
 * resource: the element it reads and its FHIR type (token, date, reference). One table, which the
 * CapabilityStatement also lists, so that what is advertised is what is served.
 */
import { categoryResourceTypes } from '@medledger/core';
import { choiceValues, rangeOfValue, type TimeRange, tokensOf, valuesAt } from './elements.ts';

export type SearchParameterType = 'token' | 'date' | 'reference';

export interface SearchParameterDefinition {
  name: string;
  type: SearchParameterType;
  documentation: string;
}

/**
 * The main date element of each type, for `date` (and `_sort=date`): choice elements by their
 * name without the type (`effective` reads effectiveDateTime, effectivePeriod, …); the first one
 * a resource has counts.
 */
const dateElements: Readonly<Record<string, readonly string[]>> = {
  AllergyIntolerance: ['recordedDate', 'onset'],
  AuditEvent: ['recorded'],
  Bundle: ['timestamp'],
  CarePlan: ['period'],
  CareTeam: ['period'],
  Claim: ['created'],
  ClaimResponse: ['created'],
  ClinicalImpression: ['date', 'effective'],
  Communication: ['sent'],
  Composition: ['date'],
  Condition: ['onset', 'recordedDate'],
  Consent: ['dateTime'],
  Coverage: ['period'],
  DiagnosticReport: ['effective', 'issued'],
  DocumentReference: ['date'],
  Encounter: ['period'],
  ExplanationOfBenefit: ['created'],
  Goal: ['start'],
  ImagingStudy: ['started'],
  Immunization: ['occurrence'],
  Media: ['created'],
  MedicationAdministration: ['effective'],
  MedicationDispense: ['whenHandedOver'],
  MedicationRequest: ['authoredOn'],
  MedicationStatement: ['effective', 'dateAsserted'],
  Observation: ['effective', 'issued'],
  Procedure: ['performed'],
  Provenance: ['recorded'],
  ServiceRequest: ['authoredOn', 'occurrence'],
  Specimen: ['receivedTime'],
};

/** The element `code` reads (default `code`). */
const codeElements: Readonly<Record<string, readonly string[]>> = {
  Immunization: ['vaccineCode'],
  MedicationAdministration: ['medicationCodeableConcept'],
  MedicationDispense: ['medicationCodeableConcept'],
  MedicationRequest: ['medicationCodeableConcept'],
  MedicationStatement: ['medicationCodeableConcept'],
};

/** Types with no `code` search parameter. */
const withoutCode = new Set([
  'Patient',
  'Encounter',
  'ImagingStudy',
  'Claim',
  'ExplanationOfBenefit',
  'Coverage',
  'Bundle',
  'Consent',
  'AuditEvent',
  'Provenance',
  'Media',
  'CareTeam',
]);
/** Types with a `category` element. */
const withCategory = new Set([
  'AllergyIntolerance',
  'CarePlan',
  'CareTeam',
  'ClinicalImpression',
  'Communication',
  'Composition',
  'Condition',
  'Consent',
  'DiagnosticReport',
  'DocumentReference',
  'MedicationRequest',
  'MedicationStatement',
  'Observation',
  'Procedure',
  'ServiceRequest',
]);
/** Types with a `status` element. */
const withoutStatus = new Set([
  'Patient',
  'AllergyIntolerance',
  'Condition',
  'Medication',
  'AuditEvent',
  'Provenance',
  'Bundle',
  'Specimen',
]);
/** Types whose clinical status is searched by `clinical-status`. */
const withClinicalStatus = new Set(['AllergyIntolerance', 'Condition']);

/**
 * What `_include=Type:param` follows: the element paths holding the references of each parameter
 * (by type where they differ); any other parameter reads the element of its camel-cased name.
 */
const includePaths: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  patient: {
    '*': ['patient', 'subject'],
    Coverage: ['beneficiary'],
  },
  subject: { '*': ['subject'] },
  medication: { '*': ['medicationReference'] },
  participant: { '*': ['participant.individual'], CareTeam: ['participant.member'] },
  practitioner: { '*': ['participant.individual'] },
  performer: {
    '*': ['performer'],
    Immunization: ['performer.actor'],
    Procedure: ['performer.actor'],
    MedicationAdministration: ['performer.actor'],
    MedicationDispense: ['performer.actor'],
  },
  location: { '*': ['location.location'] },
  organization: { '*': ['managingOrganization', 'organization'] },
  'service-provider': { '*': ['serviceProvider'] },
  'general-practitioner': { '*': ['generalPractitioner'] },
  'based-on': { '*': ['basedOn'] },
  'part-of': { '*': ['partOf'] },
  'care-team': { '*': ['careTeam'] },
  prescription: { '*': ['authorizingPrescription'] },
  'has-member': { '*': ['hasMember'] },
  'derived-from': { '*': ['derivedFrom'] },
};

/** The reference parameters listed for `_include` in the CapabilityStatement, by type. */
const includeParameters: Readonly<Record<string, readonly string[]>> = {
  AllergyIntolerance: ['patient', 'recorder', 'asserter', 'encounter'],
  CarePlan: ['subject', 'encounter', 'care-team'],
  CareTeam: ['subject', 'participant', 'encounter'],
  Claim: ['patient', 'provider', 'insurer', 'prescription'],
  Condition: ['subject', 'encounter', 'recorder', 'asserter'],
  Coverage: ['beneficiary', 'payor'],
  DiagnosticReport: ['subject', 'encounter', 'performer', 'result', 'specimen', 'based-on'],
  DocumentReference: ['subject', 'author', 'custodian'],
  Encounter: ['subject', 'participant', 'practitioner', 'location', 'service-provider', 'part-of'],
  ExplanationOfBenefit: ['patient', 'provider', 'insurer', 'claim', 'care-team'],
  ImagingStudy: ['subject', 'encounter', 'referrer'],
  Immunization: ['patient', 'encounter', 'performer', 'location'],
  MedicationAdministration: ['subject', 'medication', 'context', 'performer', 'request'],
  MedicationDispense: ['subject', 'medication', 'performer', 'prescription'],
  MedicationRequest: ['subject', 'medication', 'encounter', 'requester', 'performer'],
  MedicationStatement: ['subject', 'medication', 'context', 'part-of'],
  Observation: ['subject', 'encounter', 'performer', 'specimen', 'based-on', 'has-member', 'derived-from'],
  Patient: ['general-practitioner', 'organization'],
  Procedure: ['subject', 'encounter', 'performer', 'location', 'based-on'],
  ServiceRequest: ['subject', 'encounter', 'requester', 'performer'],
};

/** Parameters every type takes, handled outside this table (paging, sorting, includes, format). */
export const resultParameters = new Set([
  '_count',
  '_offset',
  '_sort',
  '_include',
  '_summary',
  '_total',
  '_format',
  '_pretty',
]);

/**
 * The search parameters of `type`, as listed in the CapabilityStatement and understood by search.
 *
 * @example
 * searchParametersOf('Observation').map((p) => p.name); // ['_id', '_lastUpdated', 'patient', 'subject', 'code', …]
 */
export function searchParametersOf(type: string): SearchParameterDefinition[] {
  const parameters: SearchParameterDefinition[] = [
    { name: '_id', type: 'token', documentation: 'the logical id (a patient’s address for Patient)' },
    {
      name: '_lastUpdated',
      type: 'date',
      documentation: 'when the version was anchored (prefixes eq ne lt le gt ge sa eb)',
    },
    { name: 'identifier', type: 'token', documentation: 'identifier: system|value or value' },
  ];
  if (type !== 'Patient') {
    parameters.push(
      {
        name: 'patient',
        type: 'reference',
        documentation: 'Patient/ and the patient’s address (or a bare address)',
      },
      { name: 'subject', type: 'reference', documentation: 'as patient' },
    );
  }
  if (!withoutCode.has(type)) {
    const element = (codeElements[type] ?? ['code']).join(', ');
    parameters.push({ name: 'code', type: 'token', documentation: `${element}: system|code, code or |code` });
  }
  if (withCategory.has(type)) {
    parameters.push({ name: 'category', type: 'token', documentation: 'category: system|code or code' });
  }
  const dates = dateElements[type];
  if (dates) {
    parameters.push({
      name: 'date',
      type: 'date',
      documentation: `${dates.map((name) => `${name}[x]`).join(', then ')} (prefixes eq ne lt le gt ge sa eb)`,
    });
  }
  if (!withoutStatus.has(type)) {
    parameters.push({ name: 'status', type: 'token', documentation: 'status' });
  }
  if (withClinicalStatus.has(type)) {
    parameters.push({ name: 'clinical-status', type: 'token', documentation: 'clinicalStatus' });
  }
  return parameters;
}

/** The `_include` values listed for `type` (others are followed too, by element name). */
export function includesOf(type: string): string[] {
  return (includeParameters[type] ?? ['subject']).map((name) => `${type}:${name}`);
}

/** The resource types a record may hold, by the core's category table (Patient included once a category holds it). */
export function recordResourceTypes(): string[] {
  return [...new Set(Object.values(categoryResourceTypes).flat())].sort();
}

/** The span of a resource's main date, if it has one. */
export function mainDateRange(resource: Record<string, unknown>): TimeRange | undefined {
  for (const name of dateElements[String(resource.resourceType)] ?? []) {
    for (const value of choiceValues(resource, name)) {
      const range = rangeOfValue(value);
      if (range) return range;
    }
  }
  return undefined;
}

/** The values a token parameter reads in a resource. */
export function tokenValuesOf(resource: Record<string, unknown>, parameter: string) {
  const type = String(resource.resourceType);
  switch (parameter) {
    case 'code':
      return (codeElements[type] ?? ['code']).flatMap((name) => tokensOf(resource[name]));
    case 'category':
      return tokensOf(resource.category);
    case 'status':
      return tokensOf(resource.status);
    case 'clinical-status':
      return tokensOf(resource.clinicalStatus);
    case 'identifier':
      return tokensOf(resource.identifier);
    default:
      return [];
  }
}

/** The references `_include=Type:parameter` follows in a resource. */
export function includeValuesOf(resource: Record<string, unknown>, parameter: string): unknown[] {
  const byType = includePaths[parameter];
  const type = String(resource.resourceType);
  const camel = parameter.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const paths = byType ? (byType[type] ?? byType['*'] ?? [camel]) : [camel];
  return paths.flatMap((path) => valuesAt(resource, path));
}
