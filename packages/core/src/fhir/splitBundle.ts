import { InvalidInputError } from '../errors.ts';
import type { Category } from '../vocabulary.ts';
import { categoryOfResource } from './categoryOfResource.ts';
import { listResourceIssues } from './listResourceIssues.ts';
import { isObject } from './resourceTypes.ts';
import type { FhirResource } from './types.ts';

/** Resource types that describe people, places and provenance rather than a patient's health. */
const administrativeTypes = new Set([
  'Patient',
  'Person',
  'RelatedPerson',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'OrganizationAffiliation',
  'Location',
  'HealthcareService',
  'Endpoint',
  'Device',
  'Group',
  'Provenance',
  'AuditEvent',
  'OperationOutcome',
]);

export type SplitBundleOptions = {
  /** Where references to the bundle's Patient should point, e.g. `Patient/123`; default `Patient/<its id>`. */
  patientRef?: string;
};

export type SplitRecord = { index: number; resource: FhirResource; category: Category };
export type SkippedEntry = { index: number; resourceType: string; reason: string };
export type SplitBundleReturnType = { records: SplitRecord[]; skipped: SkippedEntry[] };
export type SplitBundleErrorType = InvalidInputError;

/**
 * Splits a Bundle of any type (a Synthea transaction, a search result, ...) into one record per
 * entry, for import resource by resource. Each entry's resource gets its best-guess category
 * (`categoryOfResource`) and must validate under it. Administrative resources (Patient,
 * Organization, Practitioner, Provenance, ...), resources no category holds (CarePlan, Goal, ...)
 * and invalid ones are skipped, each with its reason.
 *
 * References between entries (`urn:uuid:` full URLs, as in a transaction) are rewritten to
 * `Type/id`, and references to the bundle's Patient to `patientRef` when given. Returned
 * resources are copies; the bundle is left as it is.
 *
 * @example
 * const { records, skipped } = splitBundle(syntheaBundle, { patientRef: 'Patient/p1' });
 */
export function splitBundle(bundle: unknown, { patientRef }: SplitBundleOptions = {}): SplitBundleReturnType {
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle') {
    throw new InvalidInputError('Expected a FHIR Bundle', {
      metaMessages: ['$.resourceType: expected "Bundle"'],
    });
  }
  if (!Array.isArray(bundle.entry)) {
    throw new InvalidInputError('Bundle.entry: expected an array of entries');
  }
  const entries: unknown[] = bundle.entry;
  const targets = referenceTargets(entries, patientRef);
  const records: SplitRecord[] = [];
  const skipped: SkippedEntry[] = [];
  entries.forEach((entry, index) => {
    const resource = isObject(entry) ? entry.resource : undefined;
    if (!isObject(resource) || typeof resource.resourceType !== 'string') {
      skipped.push({ index, resourceType: 'unknown', reason: 'the entry holds no resource' });
      return;
    }
    const { resourceType } = resource;
    if (administrativeTypes.has(resourceType)) {
      skipped.push({
        index,
        resourceType,
        reason: `${resourceType} is administrative data, not a health record`,
      });
      return;
    }
    const category = categoryOfResource(resource);
    if (!category) {
      skipped.push({ index, resourceType, reason: `no record category holds ${resourceType}` });
      return;
    }
    const copy = rewriteReferences(structuredClone(resource), targets) as FhirResource;
    const [issue] = listResourceIssues(copy, category);
    if (issue) {
      skipped.push({
        index,
        resourceType,
        reason: `invalid for category ${category}: ${issue.path}: ${issue.message}`,
      });
      return;
    }
    records.push({ index, resource: copy, category });
  });
  return { records, skipped };
}

function referenceTargets(entries: unknown[], patientRef: string | undefined): Map<string, string> {
  const targets = new Map<string, string>();
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.fullUrl !== 'string' || !isObject(entry.resource)) continue;
    const { resourceType, id } = entry.resource;
    if (typeof resourceType !== 'string' || typeof id !== 'string') continue;
    targets.set(
      entry.fullUrl,
      resourceType === 'Patient' && patientRef ? patientRef : `${resourceType}/${id}`,
    );
  }
  return targets;
}

function rewriteReferences(value: unknown, targets: Map<string, string>): unknown {
  if (Array.isArray(value)) {
    for (const item of value) rewriteReferences(item, targets);
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const target = key === 'reference' && typeof child === 'string' ? targets.get(child) : undefined;
      if (target) value[key] = target;
      else rewriteReferences(child, targets);
    }
  }
  return value;
}
