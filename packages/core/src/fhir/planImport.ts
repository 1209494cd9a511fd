import type { Address, Hex } from 'viem';
import { InvalidInputError } from '../errors.ts';
import type { Category } from '../vocabulary.ts';
import { categoryOfResource } from './categoryOfResource.ts';
import { recordFhirId } from './ledgerResources.ts';
import { importBundleTypes, isObject, r4ResourceTypes } from './resourceTypes.ts';
import type { FhirResource } from './types.ts';
import { validateResource } from './validateResource.ts';

/** An entry of the Bundle as `recordIdFor` sees it: before any rewriting. */
export interface ImportEntry {
  /** Position of the entry in `Bundle.entry`. */
  index: number;
  /**
   * What names the entry in its Bundle: its `fullUrl`; else `Type/id` (the resource's id, or the
   * id of a `PUT Type/id` request); else `entry[index]`.
   */
  sourceKey: string;
  /** The entry's resource exactly as the Bundle holds it. */
  resource: FhirResource;
}

/** One record to add: an entry's resource with its new id and rewritten references, validated. */
export interface PlannedRecord {
  /** Position of the entry in `Bundle.entry`. */
  index: number;
  /** The record id `recordIdFor` gave the entry (lower-case). */
  recordId: Hex;
  category: Category;
  /**
   * The resource to encrypt: a copy whose `id` is its FHIR id (the record id's hex without `0x`;
   * the patient's address for the patient's own Patient resource) and whose references to other
   * entries read `Type/<their FHIR id>`.
   */
  resource: FhirResource;
  /** The resource's `id` in the Bundle, if it had one. */
  sourceId: string | undefined;
  /** See `ImportEntry.sourceKey`. */
  sourceKey: string;
  /** Indices of the other planned entries that this resource refers to. */
  references: number[];
}

/**
 * Why an entry is refused, as a stable code (`reason` says it for people). `planImport` refuses
 * all but `access_denied`, which the client's `importBundle` adds when the ledger denies a record
 * (the importer may not append to its category).
 */
export type RefusalKind =
  | 'access_denied'
  | 'not_a_resource'
  | 'unsupported_method'
  | 'unknown_resource_type'
  | 'no_category'
  | 'second_patient'
  | 'duplicate_entry'
  | 'invalid_resource';

/** An entry that will not become a record, and why. */
export interface RefusedEntry {
  index: number;
  /** The entry's resource type, or the type its request names, or `unknown`. */
  resourceType: string;
  kind: RefusalKind;
  reason: string;
  /** The element at fault (e.g. `Observation.code`), for invalid resources. */
  path?: string;
}

export interface PlanImportOptions {
  /** The patient the records are for: its `Patient` entry becomes `Patient/<address>`. */
  patient: Address;
  /**
   * The record id of an entry. It decides every FHIR id, so an import run again with the same
   * ids (see `importBundle` in the client) finds the records it anchored the first time.
   */
  recordIdFor: (entry: ImportEntry) => Hex;
  /**
   * All or nothing (a `transaction`): throw `InvalidInputError` (reason `bundle_entries_refused`)
   * naming every refused entry instead of returning a partial plan.
   */
  atomic?: boolean;
}

export interface PlanImportReturnType {
  /** The records to add, in Bundle order. */
  records: PlannedRecord[];
  /** The entries that will not become records, in Bundle order. */
  refused: RefusedEntry[];
}

export type PlanImportErrorType = InvalidInputError;

/** A candidate record before its references are rewritten. */
interface Candidate {
  index: number;
  entry: Record<string, unknown>;
  resource: FhirResource;
  category: Category;
  sourceKey: string;
  recordId: Hex;
  /** The reference that now names it: `Patient/<address>` or `Type/<record id hex>`. */
  target: string;
}

/**
 * Plans the import of a FHIR R4 Bundle (`transaction`, `batch`, `collection`, `searchset` or
 * `document`) into records of `patient`, one record per entry. No I/O: the client's `importBundle`
 * adds the records it plans; the local FHIR server plans a `POST /fhir` transaction with it.
 *
 * For each entry: its category is `categoryOfResource`'s; the patient's `Patient` entry (the first
 * one) gets the id `<patient address>`, every other resource the id `<record id hex without 0x>`;
 * references to entries are rewritten to `Type/<new id>`, whether they name the entry by its
 * `fullUrl` (`urn:uuid:`, `urn:oid:` or absolute, `_history` suffix or not), by `Type/oldId`, or
 * conditionally by `Type?identifier=system|value`. Contained references (`#x`) and references to
 * resources outside the Bundle are left as they are, except that a Bundle without a `Patient` entry
 * whose patient references all name one patient has them rewritten to the patient. Each rewritten
 * resource must then pass `validateResource` under its category.
 *
 * Refused (with a `kind` and a reason): entries without a resource, `DELETE`, `PATCH` and read
 * requests, types that are not FHIR R4, types no category holds, a second `Patient`, an entry that
 * repeats another (same record id), and resources that fail validation. The Bundle is left as it is.
 *
 * Throws `InvalidInputError` when `bundle` is not a Bundle of an importable type, and with
 * `atomic` when any entry is refused (reason `bundle_entries_refused`, one meta message per entry).
 *
 * @example
 * const { records, refused } = planImport(bundle, {
 *   patient: '0x5fb3…',
 *   recordIdFor: (entry) => keccak256(toBytes(`${secret}:${entry.sourceKey}`)),
 * });
 * // records[0]: { index: 0, recordId: '0x…', category: 'condition', resource: { id: '…', … }, … }
 */
export function planImport(bundle: unknown, options: PlanImportOptions): PlanImportReturnType {
  const patient = checkPatient(options.patient);
  const entries = bundleEntries(bundle);
  const refused: RefusedEntry[] = [];
  const candidates: Candidate[] = [];
  const byRecordId = new Map<string, number>();
  // The first Patient is the patient's: references to it name the patient, whatever becomes of it.
  const patientIndex = entries.findIndex(
    (entry) => isObject(entry) && isObject(entry.resource) && entry.resource.resourceType === 'Patient',
  );

  for (const [index, entry] of entries.entries()) {
    const found = candidateOf(entry, index, patientIndex);
    if ('kind' in found) {
      refused.push(found);
      continue;
    }
    const sourceKey = sourceKeyOf(found.entry, found.resource, index);
    const recordId = checkRecordId(options.recordIdFor({ index, sourceKey, resource: found.resource }));
    const same = byRecordId.get(recordId);
    if (same !== undefined) {
      refused.push({
        index,
        resourceType: found.resource.resourceType,
        kind: 'duplicate_entry',
        reason: `the same resource as entry ${same} (same record id)`,
      });
      continue;
    }
    byRecordId.set(recordId, index);
    const type = found.resource.resourceType;
    candidates.push({
      ...found,
      index,
      sourceKey,
      recordId,
      target: type === 'Patient' ? `Patient/${patient}` : `${type}/${recordFhirId(recordId)}`,
    });
  }

  const targets = referenceTargets(entries, patientIndex, candidates, patient);
  const records: PlannedRecord[] = [];
  for (const candidate of candidates) {
    const { index, resource, category, recordId, sourceKey } = candidate;
    const referenced = new Set<number>();
    const { resourceType, id: _sourceId, ...elements } = resource;
    const copy = {
      resourceType,
      id: candidate.target.slice(candidate.target.indexOf('/') + 1),
      ...(rewriteReferences(structuredClone(elements), targets, referenced) as Record<string, unknown>),
    };
    referenced.delete(index);
    let valid: FhirResource;
    try {
      valid = validateResource(copy, category);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      refused.push({
        index,
        resourceType: resource.resourceType,
        kind: 'invalid_resource',
        reason: error.shortMessage,
        ...pathOf(error),
      });
      continue;
    }
    records.push({
      index,
      recordId,
      category,
      resource: valid,
      sourceId: typeof resource.id === 'string' ? resource.id : undefined,
      sourceKey,
      references: [...referenced].sort((a, b) => a - b),
    });
  }
  refused.sort((a, b) => a.index - b.index);
  if (options.atomic && refused.length) {
    throw new InvalidInputError(
      `${refused.length} of ${entries.length} Bundle entries refused; nothing is imported (all or nothing).`,
      {
        reason: 'bundle_entries_refused',
        metaMessages: refused.map(
          (entry) =>
            `entry[${entry.index}] ${entry.resourceType}${entry.path ? ` at ${entry.path}` : ''}: ${entry.reason}`,
        ),
        fields: { refused: refused.length, entries: entries.length },
      },
    );
  }
  return { records, refused };
}

/** The entry's resource and category, or why it cannot become a record. */
function candidateOf(
  entry: unknown,
  index: number,
  patientIndex: number,
): Pick<Candidate, 'entry' | 'resource' | 'category'> | RefusedEntry {
  const refuse = (resourceType: string, kind: RefusalKind, reason: string): RefusedEntry => ({
    index,
    resourceType,
    kind,
    reason,
  });
  if (!isObject(entry)) return refuse('unknown', 'not_a_resource', 'the entry is not a JSON object');
  const request = isObject(entry.request) ? entry.request : undefined;
  const method = typeof request?.method === 'string' ? request.method.toUpperCase() : undefined;
  const resource = entry.resource;
  const resourceType =
    isObject(resource) && typeof resource.resourceType === 'string'
      ? resource.resourceType
      : typeOfUrl(request?.url);
  if (method && method !== 'POST' && method !== 'PUT') {
    return refuse(resourceType, 'unsupported_method', unsupportedMethod(method));
  }
  if (!isObject(resource) || typeof resource.resourceType !== 'string') {
    return refuse(resourceType, 'not_a_resource', 'the entry holds no resource');
  }
  if (!r4ResourceTypes.has(resourceType)) {
    const shown = clip(resourceType);
    return refuse(shown, 'unknown_resource_type', `"${shown}" is not a FHIR R4 resource type`);
  }
  const category = categoryOfResource(resource);
  if (!category) return refuse(resourceType, 'no_category', `no record category holds ${resourceType}`);
  if (resourceType === 'Patient' && index !== patientIndex) {
    return refuse(
      resourceType,
      'second_patient',
      `a second Patient: an import holds one patient's records, and entry ${patientIndex} is the patient`,
    );
  }
  return { entry, resource: resource as FhirResource, category };
}

function bundleEntries(bundle: unknown): unknown[] {
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle') {
    throw new InvalidInputError('Expected a FHIR Bundle.', {
      reason: 'not_a_bundle',
      metaMessages: ['$.resourceType: expected "Bundle"'],
    });
  }
  if (typeof bundle.type !== 'string' || !importBundleTypes.includes(bundle.type)) {
    throw new InvalidInputError(
      `Bundle.type: expected ${importBundleTypes.join(', ')}, got ${typeof bundle.type === 'string' ? `"${clip(bundle.type)}"` : 'none'}.`,
      { reason: 'bundle_type_not_importable' },
    );
  }
  if (bundle.entry === undefined) return [];
  if (!Array.isArray(bundle.entry)) {
    throw new InvalidInputError('Bundle.entry: expected an array of entries.', { reason: 'not_a_bundle' });
  }
  return bundle.entry;
}

function checkPatient(patient: unknown): Address {
  if (typeof patient !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(patient)) {
    throw new InvalidInputError('planImport: patient must be an address (0x and 40 hex digits).');
  }
  return patient.toLowerCase() as Address;
}

function checkRecordId(recordId: unknown): Hex {
  if (typeof recordId !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(recordId)) {
    throw new InvalidInputError('planImport: recordIdFor must answer a record id (0x and 64 hex digits).');
  }
  return recordId.toLowerCase() as Hex;
}

function unsupportedMethod(method: string): string {
  if (method === 'DELETE') return 'DELETE is not supported: a record is never removed from the ledger';
  if (method === 'PATCH') return 'PATCH is not supported: send the whole resource';
  return `${clip(method)} is not supported: an import only adds resources (POST or PUT)`;
}

/** The resource type a request URL names (`Observation/1`, `Patient?identifier=…`), or `unknown`. */
function typeOfUrl(url: unknown): string {
  const match = typeof url === 'string' ? /^([A-Z][A-Za-z]{0,63})(?:[/?]|$)/.exec(url) : null;
  return match?.[1] ?? 'unknown';
}

function sourceKeyOf(entry: Record<string, unknown>, resource: FhirResource, index: number): string {
  if (typeof entry.fullUrl === 'string' && entry.fullUrl) return entry.fullUrl;
  const request = isObject(entry.request) ? entry.request : undefined;
  const id = typeof resource.id === 'string' ? resource.id : putId(resource.resourceType, request);
  return id ? `${resource.resourceType}/${id}` : `entry[${index}]`;
}

/** The id of a `PUT Type/id` request. */
function putId(resourceType: string, request: Record<string, unknown> | undefined): string | undefined {
  if (request?.method !== 'PUT' || typeof request.url !== 'string') return undefined;
  const [type, id, ...rest] = request.url.split('/');
  return type === resourceType && id && !rest.length && !id.includes('?') ? id : undefined;
}

/** Where each entry is named from: each way a reference may name it, mapped to its new reference. */
type Targets = Map<string, { target: string; index: number | undefined }>;

/**
 * The references that name the patient, the other entries, and, for a Bundle without a Patient
 * entry, the one patient all its patient references name.
 */
function referenceTargets(
  entries: readonly unknown[],
  patientIndex: number,
  candidates: readonly Candidate[],
  patient: Address,
): Targets {
  const targets: Targets = new Map();
  const add = (keys: string[], target: string, index: number | undefined) => {
    for (const key of keys) if (!targets.has(key)) targets.set(key, { target, index });
  };
  const patientEntry = entries[patientIndex];
  if (isObject(patientEntry)) {
    // Named as the patient even when its own resource is refused: it is the patient all the same.
    const isCandidate = candidates.some((candidate) => candidate.index === patientIndex);
    add(namesOf(patientEntry), `Patient/${patient}`, isCandidate ? patientIndex : undefined);
  }
  for (const candidate of candidates) add(namesOf(candidate.entry), candidate.target, candidate.index);
  if (!patientEntry) {
    const named = new Map<string, string[]>();
    collectReferences(
      candidates.map((candidate) => candidate.resource),
      (reference) => {
        const id = /(?:^|\/)Patient\/([^/]+)$/.exec(withoutHistory(reference))?.[1];
        if (id && !targets.has(reference)) named.set(id, [...(named.get(id) ?? []), reference]);
      },
    );
    const [only] = named.values();
    if (named.size === 1 && only) add(only, `Patient/${patient}`, undefined);
  }
  return targets;
}

/** Each way a reference may name the resource of `entry`. */
function namesOf(entry: Record<string, unknown>): string[] {
  const resource = entry.resource as FhirResource;
  const type = resource.resourceType;
  const names: string[] = [];
  if (typeof entry.fullUrl === 'string' && entry.fullUrl) {
    names.push(entry.fullUrl);
    // A relative reference in an entry resolves against the base of an absolute fullUrl.
    const absolute = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(entry.fullUrl);
    if (absolute && absolute[1] === type) names.push(`${type}/${absolute[2]}`);
  }
  if (typeof resource.id === 'string') names.push(`${type}/${resource.id}`);
  const id = putId(type, isObject(entry.request) ? entry.request : undefined);
  if (id) names.push(`${type}/${id}`);
  for (const identifier of Array.isArray(resource.identifier) ? resource.identifier : []) {
    if (!isObject(identifier) || typeof identifier.value !== 'string') continue;
    if (typeof identifier.system === 'string') {
      names.push(`${type}?identifier=${identifier.system}|${identifier.value}`);
    }
    names.push(`${type}?identifier=${identifier.value}`);
  }
  return names;
}

function collectReferences(value: unknown, found: (reference: string) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, found);
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') found(child);
      else collectReferences(child, found);
    }
  }
}

function rewriteReferences(value: unknown, targets: Targets, referenced: Set<number>): unknown {
  if (Array.isArray(value)) {
    for (const item of value) rewriteReferences(item, targets, referenced);
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const found = key === 'reference' && typeof child === 'string' ? lookUp(child, targets) : undefined;
      if (found) {
        value[key] = found.target;
        if (found.index !== undefined) referenced.add(found.index);
      } else {
        rewriteReferences(child, targets, referenced);
      }
    }
  }
  return value;
}

function lookUp(reference: string, targets: Targets) {
  if (reference.startsWith('#')) return undefined;
  const exact = targets.get(reference) ?? targets.get(withoutHistory(reference));
  if (exact) return exact;
  const query = reference.indexOf('?');
  if (query < 0) return undefined;
  try {
    return targets.get(`${reference.slice(0, query)}?${decodeURIComponent(reference.slice(query + 1))}`);
  } catch {
    return undefined;
  }
}

function withoutHistory(reference: string): string {
  const history = reference.indexOf('/_history/');
  return history < 0 ? reference : reference.slice(0, history);
}

/** The element an `InvalidInputError` of `validateResource` names: `fields.path`, else its first line's. */
function pathOf(error: InvalidInputError): { path?: string } {
  const field = error.fields?.path;
  if (typeof field === 'string') return { path: field };
  const first = error.metaMessages?.[0];
  const colon = first?.indexOf(': ') ?? -1;
  return first && colon > 0 ? { path: first.slice(0, colon) } : {};
}

function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
