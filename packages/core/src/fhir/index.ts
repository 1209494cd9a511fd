export type {
  BuiltResource,
  ClaimDecision,
  ClaimItemInput,
  PatientGender,
  PatientProfileInput,
  PeriodUnit,
} from './buildResources.ts';
export {
  buildAppointment,
  buildClaim,
  buildClaimResponse,
  buildClinicalNote,
  buildCoverage,
  buildDiagnosis,
  buildDiagnosticReport,
  buildDispense,
  buildLabOrder,
  buildLabResult,
  buildPatientProfile,
  buildPrescription,
  buildPrescriptionOrder,
  buildSchedule,
  builtCategory,
  claimDecisionOf,
  organisationReference,
  patientGenders,
  patientReference,
  practitionerReference,
} from './buildResources.ts';
export { categoryOfResource } from './categoryOfResource.ts';
export type { DeriveResourceInput, ResourceDerivation } from './deriveResource.ts';
export {
  derivationExtensionUrl,
  derivationOfResource,
  derivationTagSystem,
  deriveResource,
} from './deriveResource.ts';
export { loadFhirDefinitions } from './fhirDefinitions.ts';
export type {
  AuditEventSource,
  FhirCodeableConcept,
  FhirCoding,
  FhirExtension,
  FhirIdentifier,
  FhirReference,
  LedgerAccessRequest,
  LedgerAuditEvent,
  LedgerAuditEventResource,
  LedgerConsent,
  LedgerConsentResource,
  LedgerProvenanceResource,
  LedgerRecordAnchor,
  LedgerResourceErrorType,
  LedgerStamp,
  LedgerStampSigner,
  ProvenanceContext,
} from './ledgerResources.ts';
export {
  accessRequestConsent,
  anchorExtensionUrl,
  auditEventResource,
  consentResource,
  ledgerSystems,
  provenanceResource,
  recordFhirId,
  stampExtensionUrl,
} from './ledgerResources.ts';
export { listResourceIssues, maxIssues } from './listResourceIssues.ts';
export type {
  ImportEntry,
  PlanImportErrorType,
  PlanImportOptions,
  PlanImportReturnType,
  PlannedRecord,
  RefusalKind,
  RefusedEntry,
} from './planImport.ts';
export { planImport } from './planImport.ts';
export {
  categoryMismatch,
  categoryResourceTypes,
  emergencyBundleTypes,
  importBundleTypes,
  r4ResourceTypes,
} from './resourceTypes.ts';
export { summarizeResource } from './summarizeResource.ts';
export type { FhirIssue, FhirResource } from './types.ts';
export type { ValidateResourceErrorType } from './validateResource.ts';
export { maxResourceBytes, parseResourceJson, validateResource } from './validateResource.ts';
