import type { Category } from '../vocabulary.ts';

/** Every resource type of FHIR R4 (4.0.1). */
export const r4ResourceTypes: ReadonlySet<string> = new Set([
  'Account',
  'ActivityDefinition',
  'AdverseEvent',
  'AllergyIntolerance',
  'Appointment',
  'AppointmentResponse',
  'AuditEvent',
  'Basic',
  'Binary',
  'BiologicallyDerivedProduct',
  'BodyStructure',
  'Bundle',
  'CapabilityStatement',
  'CarePlan',
  'CareTeam',
  'CatalogEntry',
  'ChargeItem',
  'ChargeItemDefinition',
  'Claim',
  'ClaimResponse',
  'ClinicalImpression',
  'CodeSystem',
  'Communication',
  'CommunicationRequest',
  'CompartmentDefinition',
  'Composition',
  'ConceptMap',
  'Condition',
  'Consent',
  'Contract',
  'Coverage',
  'CoverageEligibilityRequest',
  'CoverageEligibilityResponse',
  'DetectedIssue',
  'Device',
  'DeviceDefinition',
  'DeviceMetric',
  'DeviceRequest',
  'DeviceUseStatement',
  'DiagnosticReport',
  'DocumentManifest',
  'DocumentReference',
  'EffectEvidenceSynthesis',
  'Encounter',
  'Endpoint',
  'EnrollmentRequest',
  'EnrollmentResponse',
  'EpisodeOfCare',
  'EventDefinition',
  'Evidence',
  'EvidenceVariable',
  'ExampleScenario',
  'ExplanationOfBenefit',
  'FamilyMemberHistory',
  'Flag',
  'Goal',
  'GraphDefinition',
  'Group',
  'GuidanceResponse',
  'HealthcareService',
  'ImagingStudy',
  'Immunization',
  'ImmunizationEvaluation',
  'ImmunizationRecommendation',
  'ImplementationGuide',
  'InsurancePlan',
  'Invoice',
  'Library',
  'Linkage',
  'List',
  'Location',
  'Measure',
  'MeasureReport',
  'Media',
  'Medication',
  'MedicationAdministration',
  'MedicationDispense',
  'MedicationKnowledge',
  'MedicationRequest',
  'MedicationStatement',
  'MedicinalProduct',
  'MedicinalProductAuthorization',
  'MedicinalProductContraindication',
  'MedicinalProductIndication',
  'MedicinalProductIngredient',
  'MedicinalProductInteraction',
  'MedicinalProductManufactured',
  'MedicinalProductPackaged',
  'MedicinalProductPharmaceutical',
  'MedicinalProductUndesirableEffect',
  'MessageDefinition',
  'MessageHeader',
  'MolecularSequence',
  'NamingSystem',
  'NutritionOrder',
  'Observation',
  'ObservationDefinition',
  'OperationDefinition',
  'OperationOutcome',
  'Organization',
  'OrganizationAffiliation',
  'Parameters',
  'Patient',
  'PaymentNotice',
  'PaymentReconciliation',
  'Person',
  'PlanDefinition',
  'Practitioner',
  'PractitionerRole',
  'Procedure',
  'Provenance',
  'Questionnaire',
  'QuestionnaireResponse',
  'RelatedPerson',
  'RequestGroup',
  'ResearchDefinition',
  'ResearchElementDefinition',
  'ResearchStudy',
  'ResearchSubject',
  'RiskAssessment',
  'RiskEvidenceSynthesis',
  'Schedule',
  'SearchParameter',
  'ServiceRequest',
  'Slot',
  'Specimen',
  'SpecimenDefinition',
  'StructureDefinition',
  'StructureMap',
  'Subscription',
  'Substance',
  'SubstanceNucleicAcid',
  'SubstancePolymer',
  'SubstanceProtein',
  'SubstanceReferenceInformation',
  'SubstanceSourceMaterial',
  'SubstanceSpecification',
  'SupplyDelivery',
  'SupplyRequest',
  'Task',
  'TerminologyCapabilities',
  'TestReport',
  'TestScript',
  'ValueSet',
  'VerificationResult',
  'VisionPrescription',
]);

/** Resource types of the categories that have a fixed list (every one but `other`). */
const listedResourceTypes = {
  condition: ['Condition'],
  medication: [
    'MedicationRequest',
    'MedicationStatement',
    'MedicationDispense',
    'MedicationAdministration',
    'Medication',
  ],
  allergy: ['AllergyIntolerance'],
  lab: ['Observation', 'DiagnosticReport', 'ServiceRequest', 'Specimen'],
  imaging: ['ImagingStudy', 'DiagnosticReport', 'Media', 'Observation'],
  note: ['DocumentReference', 'Composition', 'ClinicalImpression', 'Communication'],
  emergency: [
    'Bundle',
    'Composition',
    'AllergyIntolerance',
    'Condition',
    'MedicationStatement',
    'Observation',
  ],
  insurance: ['Coverage', 'Claim', 'ExplanationOfBenefit', 'ClaimResponse'],
  immunization: ['Immunization'],
  procedure: ['Procedure'],
  encounter: ['Encounter'],
  vitals: ['Observation'],
  demographics: ['Patient', 'RelatedPerson', 'Person'],
  administrative: [
    'Organization',
    'OrganizationAffiliation',
    'Practitioner',
    'PractitionerRole',
    'Location',
    'HealthcareService',
    'Endpoint',
    'Device',
    'Group',
    'Account',
    'Schedule',
    'Slot',
    'Appointment',
    'AppointmentResponse',
  ],
  careplan: [
    'CarePlan',
    'CareTeam',
    'Goal',
    'EpisodeOfCare',
    'RequestGroup',
    'NutritionOrder',
    'RiskAssessment',
    'DetectedIssue',
    'Flag',
  ],
} as const satisfies Record<Exclude<Category, 'other'>, readonly string[]>;

const listed: ReadonlySet<string> = new Set(Object.values(listedResourceTypes).flat());

/**
 * Which FHIR R4 resource types a record of each category may hold.
 *
 * | category       | resource types                                                                     |
 * | -------------- | ---------------------------------------------------------------------------------- |
 * | condition      | Condition                                                                          |
 * | medication     | MedicationRequest, MedicationStatement, MedicationDispense, MedicationAdministration, Medication |
 * | allergy        | AllergyIntolerance                                                                 |
 * | lab            | Observation (category `laboratory` or none), DiagnosticReport, ServiceRequest, Specimen |
 * | imaging        | ImagingStudy, DiagnosticReport, Media, Observation (category `imaging`)            |
 * | note           | DocumentReference, Composition, ClinicalImpression, Communication                  |
 * | emergency      | Bundle (type `document` or `collection`), Composition, AllergyIntolerance, Condition, MedicationStatement, Observation |
 * | insurance      | Coverage, Claim, ExplanationOfBenefit, ClaimResponse                               |
 * | immunization   | Immunization                                                                       |
 * | procedure      | Procedure                                                                          |
 * | encounter      | Encounter                                                                          |
 * | vitals         | Observation (any category but `laboratory`, unless also `vital-signs`)             |
 * | demographics   | Patient, RelatedPerson, Person                                                     |
 * | administrative | Organization, OrganizationAffiliation, Practitioner, PractitionerRole, Location, HealthcareService, Endpoint, Device, Group, Account, Schedule, Slot, Appointment, AppointmentResponse |
 * | careplan       | CarePlan, CareTeam, Goal, EpisodeOfCare, RequestGroup, NutritionOrder, RiskAssessment, DetectedIssue, Flag |
 * | other          | every other R4 resource type (FamilyMemberHistory, QuestionnaireResponse, Provenance, Task, AdverseEvent, DeviceRequest, Invoice, ...) |
 *
 * Any category also accepts a `Bundle` (bundle import) whose entries all fit that category; an
 * emergency Bundle's entries must fit `emergency`. The Observation restrictions keep a lab result
 * out of a `vitals` record: a grant for vitals must not reveal lab results. Each of the four last
 * categories holds types no other category lists (`other` is whatever is left, so that no R4
 * resource a patient's record may contain lacks a category), so a grant for one of them reveals
 * nothing of the others. Administrative records say who and where (people, organisations,
 * places, devices, appointments); financial resources beyond the insurance ones (Invoice,
 * ChargeItem, PaymentNotice, ...) and Provenance, which name the care they concern, are `other`.
 */
export const categoryResourceTypes: Readonly<Record<Category, readonly string[]>> = {
  ...listedResourceTypes,
  other: [...r4ResourceTypes].filter(
    (resourceType) => resourceType !== 'Bundle' && !listed.has(resourceType),
  ),
};

/** Bundle types a record may hold: an emergency summary is a `document` or a `collection`. */
export const emergencyBundleTypes: readonly string[] = ['document', 'collection'];
/** Bundle types accepted for a bundle import under any other category. */
export const importBundleTypes: readonly string[] = [
  'document',
  'collection',
  'transaction',
  'batch',
  'searchset',
];

const observationCategorySystem = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** The `observation-category` codes of an Observation (codings of other systems are ignored). */
export function observationCategoryCodes(resource: Record<string, unknown>): string[] {
  const codes: string[] = [];
  const categories = Array.isArray(resource.category) ? resource.category : [];
  for (const concept of categories) {
    const codings = isObject(concept) && Array.isArray(concept.coding) ? concept.coding : [];
    for (const coding of codings) {
      if (!isObject(coding) || typeof coding.code !== 'string') continue;
      if (coding.system === undefined || coding.system === observationCategorySystem) codes.push(coding.code);
    }
  }
  return codes;
}

/**
 * Why a resource does not fit a category, or `undefined` when it does. Looks at the resource type
 * and, for Observations and Bundles, at their category or type; a Bundle's entries are checked
 * by the caller.
 */
export function categoryMismatch(resource: Record<string, unknown>, category: Category): string | undefined {
  const resourceType = String(resource.resourceType);
  const accepted = categoryResourceTypes[category];
  if (resourceType === 'Bundle') {
    const allowed = category === 'emergency' ? emergencyBundleTypes : importBundleTypes;
    if (typeof resource.type === 'string' && !allowed.includes(resource.type)) {
      return `a ${category} Bundle must have type ${allowed.join(' or ')}, got "${clip(resource.type)}"`;
    }
    return undefined;
  }
  if (!accepted.includes(resourceType)) {
    const expected =
      category === 'other'
        ? 'a type no other category holds, or Bundle'
        : [...accepted, 'Bundle'].filter(unique).join(', ');
    return `${resourceType} is not accepted for category ${category} (expected ${expected})`;
  }
  if (resourceType !== 'Observation') return undefined;
  const codes = observationCategoryCodes(resource);
  const shown = codes.length ? codes.join(', ') : 'none';
  if (category === 'lab' && codes.length > 0 && !codes.includes('laboratory')) {
    return `an Observation for category lab must have category laboratory or none, got ${shown}`;
  }
  if (category === 'imaging' && !codes.includes('imaging')) {
    return `an Observation for category imaging must have category imaging, got ${shown}`;
  }
  if (category === 'vitals' && codes.includes('laboratory') && !codes.includes('vital-signs')) {
    return 'an Observation with category laboratory belongs to category lab, not vitals';
  }
  return undefined;
}

function unique(value: string, index: number, list: readonly string[]): boolean {
  return list.indexOf(value) === index;
}

function clip(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
