import type { Category } from '../vocabulary.ts';
import {
  categoryMismatch,
  categoryResourceTypes,
  emergencyBundleTypes,
  isObject,
  observationCategoryCodes,
} from './resourceTypes.ts';

/** LOINC codes of the FHIR R4 vital signs profiles, for Observations that carry no category. */
const vitalSignLoincCodes = new Set([
  '85353-1',
  '9279-1',
  '8867-4',
  '2708-6',
  '59408-5',
  '8310-5',
  '8302-2',
  '9843-4',
  '8287-5',
  '29463-7',
  '3141-9',
  '39156-5',
  '85354-9',
  '8480-6',
  '8462-4',
]);

/** HL7 v2-0074 diagnostic service sections that are imaging; LP29684-5 is LOINC "Radiology". */
const imagingSections = new Set([
  'RAD',
  'CT',
  'NMR',
  'NMS',
  'RUS',
  'RX',
  'XRC',
  'VUS',
  'OUS',
  'CUS',
  'LP29684-5',
]);

/** A patient summary (LOINC 60591-5) is the emergency summary; any other Composition is a note. */
const patientSummaryLoinc = '60591-5';

const categoryByResourceType: Readonly<Record<string, Category>> = {
  Condition: 'condition',
  AllergyIntolerance: 'allergy',
  MedicationRequest: 'medication',
  MedicationStatement: 'medication',
  MedicationDispense: 'medication',
  MedicationAdministration: 'medication',
  Medication: 'medication',
  ServiceRequest: 'lab',
  Specimen: 'lab',
  ImagingStudy: 'imaging',
  Media: 'imaging',
  DocumentReference: 'note',
  ClinicalImpression: 'note',
  Communication: 'note',
  Coverage: 'insurance',
  Claim: 'insurance',
  ExplanationOfBenefit: 'insurance',
  ClaimResponse: 'insurance',
  Immunization: 'immunization',
  Procedure: 'procedure',
  Encounter: 'encounter',
  ...Object.fromEntries(
    (['demographics', 'administrative', 'careplan', 'other'] as const).flatMap((category) =>
      categoryResourceTypes[category].map((resourceType) => [resourceType, category]),
    ),
  ),
};

/**
 * The category a resource most likely belongs to, for importing records whose category nobody
 * chose: every R4 resource type has one (Patient is demographics, CarePlan careplan, and a type no
 * other category holds is other); `undefined` for what is not an R4 resource, and for a Bundle
 * whose entries share no category. The result is a guess: `validateResource` still decides.
 *
 * Observations go by their category: `laboratory` to lab, `imaging` to imaging, any other
 * (`vital-signs`, `survey`, `exam`, `social-history`, ...) to vitals, the category of non-lab
 * clinical observations; without a category, a vital-sign LOINC code means vitals, else lab.
 * A Bundle goes to the category all its entries share, else to emergency if they all fit it.
 *
 * @example
 * categoryOfResource({ resourceType: 'Observation', category: [{ coding: [{ code: 'vital-signs' }] }] }); // 'vitals'
 */
export function categoryOfResource(resource: unknown): Category | undefined {
  if (!isObject(resource) || typeof resource.resourceType !== 'string') return undefined;
  const resourceType = resource.resourceType;
  if (resourceType === 'Observation') return observationCategory(resource);
  if (resourceType === 'DiagnosticReport') {
    return conceptCodes(resource.category).some((code) => imagingSections.has(code)) ? 'imaging' : 'lab';
  }
  if (resourceType === 'Composition') {
    return conceptCodes([resource.type]).includes(patientSummaryLoinc) ? 'emergency' : 'note';
  }
  if (resourceType === 'Bundle') return bundleCategory(resource);
  return Object.hasOwn(categoryByResourceType, resourceType)
    ? categoryByResourceType[resourceType]
    : undefined;
}

function observationCategory(resource: Record<string, unknown>): Category {
  const codes = observationCategoryCodes(resource);
  if (codes.includes('laboratory')) return 'lab';
  if (codes.includes('imaging')) return 'imaging';
  if (codes.length > 0) return 'vitals';
  return conceptCodes([resource.code]).some((code) => vitalSignLoincCodes.has(code)) ? 'vitals' : 'lab';
}

function bundleCategory(bundle: Record<string, unknown>): Category | undefined {
  const resources = (Array.isArray(bundle.entry) ? bundle.entry : []).map((entry) =>
    isObject(entry) ? entry.resource : undefined,
  );
  if (resources.length === 0 || !resources.every(isObject)) return undefined;
  if (resources.some((resource) => resource.resourceType === 'Bundle')) return undefined;
  const guesses = new Set(resources.map(categoryOfResource));
  const [only] = guesses;
  if (guesses.size === 1 && only && categoryMismatch(bundle, only) === undefined) return only;
  const emergency =
    typeof bundle.type === 'string' &&
    emergencyBundleTypes.includes(bundle.type) &&
    resources.every((resource) => categoryMismatch(resource, 'emergency') === undefined);
  return emergency ? 'emergency' : undefined;
}

function conceptCodes(concepts: unknown): string[] {
  const codes: string[] = [];
  for (const concept of Array.isArray(concepts) ? concepts : []) {
    const codings = isObject(concept) && Array.isArray(concept.coding) ? concept.coding : [];
    for (const coding of codings) {
      if (isObject(coding) && typeof coding.code === 'string') codes.push(coding.code);
    }
  }
  return codes;
}
