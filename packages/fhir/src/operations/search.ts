/**
 * Search in the patient compartment: the current resources of a type among the records of the
 * patients named (the user, if a patient, by default) that the user may see, filtered by the
 * parameters of `searchParameters.ts`, sorted, paged by offset, with `_include`d references.
 * Records the gateway does not let the user see are absent (the gateway audits the listing and
 * every read). Unknown parameters are ignored with a warning (`Prefer: handling=lenient`, the
 * default) or refused (`handling=strict`).
 */
import { AccessDeniedError, type FhirResource, InvalidInputError } from '@medledger/core';
import type { Address } from 'viem';
import { type BundleEntry, bundleOf, fullUrlOf, pageLinks } from '../bundles.ts';
import type { FhirContext } from '../context.ts';
import { dateRange, referencesOf, type TimeRange, type Token } from '../elements.ts';
import { addressOfId, parsePatientReference, referenceTarget } from '../fhirIds.ts';
import { fhirReasons, type OperationOutcomeIssue, operationOutcome } from '../outcome.ts';
import { listPatientRecords, readResource } from '../patientRecords.ts';
import type { PatientRecords } from '../resourceChains.ts';
import {
  currentResourcesOf,
  factsOf,
  patientResourceOf,
  presentResource,
  type ServedResource,
} from '../resources.ts';
import {
  includeValuesOf,
  mainDateRange,
  resultParameters,
  type SearchParameterDefinition,
  searchParametersOf,
  tokenValuesOf,
} from '../searchParameters.ts';
import { isLedgerResourceType, ledgerResourcesOf } from './ledgerResources.ts';

/** Entries per page unless `_count` says otherwise, and the most a page holds. */
export const defaultPageSize = 50;
export const maxPageSize = 1000;

export interface SearchInput {
  type: string;
  /** The parameters in the order given (query string, then a `_search` form body). */
  parameters: [string, string][];
  /** The patient of a compartment search (`Patient/0x…/Observation`). */
  compartment?: Address;
  /** `Prefer: handling=strict`: unknown parameters are refused instead of ignored. */
  strict: boolean;
  /** The server's base URL (…/fhir), for full URLs and links. */
  base: string;
  /** The path of this search below the base, for paging links (`Observation`, `Patient/0x…/Observation`). */
  path: string;
}

const datePrefixes = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'sa', 'eb', 'ap'] as const;
type DatePrefix = (typeof datePrefixes)[number];

type Criterion =
  | { kind: 'token'; name: string; values: { system: string | undefined; code: string | undefined }[] }
  | { kind: 'date'; name: string; values: { prefix: DatePrefix; range: TimeRange }[] };

interface SortKey {
  name: 'date' | '_lastUpdated' | '_id';
  descending: boolean;
}

interface Include {
  parameter: string;
  target: string | undefined;
}

/** A search, parsed: what filters, what pages, what is included, what was not understood. */
export interface SearchPlan {
  patients: Address[];
  criteria: Criterion[];
  sort: SortKey[];
  count: number;
  offset: number;
  includes: Include[];
  summaryCount: boolean;
  warnings: string[];
}

/**
 * Answers a search with a searchset Bundle whose `total` counts every match and whose links page
 * through them.
 *
 * @example
 * const bundle = await search(context, { type: 'Observation', parameters: [['code', '4548-4']], strict: false, base, path: 'Observation' });
 */
export async function search(context: FhirContext, input: SearchInput) {
  const plan = planSearch(input);
  const patients = await patientsOf(context, input.type, plan);
  const recordsOf = new Map<Address, PatientRecords>();
  for (const patient of patients) recordsOf.set(patient, await listPatientRecords(context, patient));
  const matches = await matchingResources(context, input.type, plan, recordsOf);
  const page = plan.summaryCount ? [] : matches.slice(plan.offset, plan.offset + plan.count);
  const included = await includedResources(context, plan, page, recordsOf);
  const entry: BundleEntry[] = [
    ...page.map((item) => ({
      fullUrl: fullUrlOf(input.base, item.resource),
      resource: item.resource,
      search: { mode: 'match' as const },
    })),
    ...included.map((resource) => ({
      fullUrl: fullUrlOf(input.base, resource),
      resource,
      search: { mode: 'include' as const },
    })),
  ];
  if (plan.warnings.length) {
    entry.push({
      resource: operationOutcome(
        plan.warnings.map(
          (diagnostics): OperationOutcomeIssue => ({
            severity: 'warning',
            code: 'not-supported',
            diagnostics,
          }),
        ),
      ),
      search: { mode: 'outcome' },
    });
  }
  return bundleOf('searchset', {
    total: matches.length,
    link: pageLinks(input.base, input.path, input.parameters, {
      offset: plan.offset,
      count: plan.summaryCount ? 0 : plan.count,
      total: matches.length,
    }),
    entry,
  });
}

/**
 * The current resources of `type` of the patients `parameters` name that match them all, sorted
 * (for conditional create and for search). Throws `InvalidInputError` for malformed parameters.
 */
export async function findResources(
  context: FhirContext,
  type: string,
  parameters: [string, string][],
  patient: Address,
): Promise<ServedResource[]> {
  const plan = planSearch({ type, parameters, compartment: patient, strict: true, base: '', path: '' });
  const records = await listPatientRecords(context, patient);
  return matchingResources(context, type, plan, new Map([[patient, records]]));
}

function planSearch(input: SearchInput): SearchPlan {
  const definitions = new Map(
    searchParametersOf(input.type).map((definition) => [definition.name, definition]),
  );
  const plan: SearchPlan = {
    patients: input.compartment ? [input.compartment] : [],
    criteria: [],
    sort: [],
    count: defaultPageSize,
    offset: 0,
    includes: [],
    summaryCount: false,
    warnings: [],
  };
  const notUnderstood = (what: string) => {
    if (input.strict) {
      throw new InvalidInputError(`${what} (Prefer: handling=strict).`, {
        reason: fhirReasons.unknownSearchParameter,
      });
    }
    plan.warnings.push(`${what}: ignored.`);
  };
  for (const [name, value] of input.parameters) {
    if (resultParameters.has(name)) {
      applyResultParameter(input.type, plan, name, value, notUnderstood);
      continue;
    }
    if ((name === 'patient' || name === 'subject') && input.type !== 'Patient') {
      plan.patients.push(...value.split(',').map(parsePatientReference));
      continue;
    }
    const definition = definitions.get(name);
    if (!definition) {
      notUnderstood(`Unknown search parameter "${name}" for ${input.type}`);
      continue;
    }
    plan.criteria.push(criterionOf(definition, value));
  }
  return plan;
}

function applyResultParameter(
  type: string,
  plan: SearchPlan,
  name: string,
  value: string,
  notUnderstood: (what: string) => void,
) {
  switch (name) {
    case '_count':
      plan.count = Math.min(wholeNumber(name, value), maxPageSize);
      return;
    case '_offset':
      plan.offset = wholeNumber(name, value);
      return;
    case '_sort':
      for (const key of value.split(',')) {
        const descending = key.startsWith('-');
        const field = descending ? key.slice(1) : key;
        if (field === 'date' || field === '_lastUpdated' || field === '_id')
          plan.sort.push({ name: field, descending });
        else notUnderstood(`Unknown sort "${key}" (date, _lastUpdated or _id, - for descending)`);
      }
      return;
    case '_include': {
      const [source, parameter, target] = value.split(':');
      if ((source === type || source === '*') && parameter) plan.includes.push({ parameter, target });
      else notUnderstood(`_include "${value}" does not name a parameter of ${type}`);
      return;
    }
    case '_summary':
      if (value === 'count') plan.summaryCount = true;
      else if (value !== 'false') notUnderstood(`_summary=${value} (only count and false are served)`);
      return;
    default:
      // _total, _format (checked by the route) and _pretty change nothing here.
      return;
  }
}

function wholeNumber(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value))
    throw new InvalidInputError(`Invalid ${name} "${value}": expected a whole number.`);
  return Number(value);
}

function criterionOf(definition: SearchParameterDefinition, value: string): Criterion {
  const parts = value.split(',');
  if (definition.type === 'date') {
    return {
      kind: 'date',
      name: definition.name,
      values: parts.map((part) => {
        const prefix = datePrefixes.find((candidate) => part.startsWith(candidate)) ?? 'eq';
        const text = part.startsWith(prefix) ? part.slice(2) : part;
        const range = dateRange(text);
        if (!range) {
          throw new InvalidInputError(
            `Invalid ${definition.name} "${part}": expected a prefix and a FHIR date.`,
          );
        }
        return { prefix, range };
      }),
    };
  }
  return {
    kind: 'token',
    name: definition.name,
    values: parts.map((part) => {
      const bar = part.indexOf('|');
      if (bar < 0) return { system: undefined, code: part };
      return { system: part.slice(0, bar), code: part.slice(bar + 1) || undefined };
    }),
  };
}

/** The patients to search: those named, else the user if a patient; a member must name one. */
async function patientsOf(context: FhirContext, type: string, plan: SearchPlan): Promise<Address[]> {
  if (type === 'Patient') {
    const ids = plan.criteria.find((criterion) => criterion.kind === 'token' && criterion.name === '_id');
    const addresses =
      ids?.kind === 'token'
        ? ids.values.flatMap((value) => (value.code ? [addressOfId(value.code)] : []))
        : [];
    if (addresses.length && addresses.every((address) => address !== undefined)) {
      plan.patients.push(...(addresses as Address[]));
    }
  }
  if (plan.patients.length) return [...new Set(plan.patients)];
  const me = await context.whoAmI();
  if (me.patient?.registered) return [context.client.address];
  throw new InvalidInputError(
    'Name the patient: search needs patient=Patient/0x… (or subject=) unless you are a patient.',
  );
}

async function matchingResources(
  context: FhirContext,
  type: string,
  plan: SearchPlan,
  recordsOf: Map<Address, PatientRecords>,
): Promise<ServedResource[]> {
  const found: ServedResource[] = [];
  for (const records of recordsOf.values()) {
    if (type === 'Patient') found.push(await patientResourceOf(context, records));
    else found.push(...(await currentResourcesOf(context, records, type)));
    // Beside any stored as records, those derived from the ledger.
    if (isLedgerResourceType(type)) found.push(...(await ledgerResourcesOf(context, type, records)));
  }
  return found
    .filter((item) => plan.criteria.every((criterion) => matchesCriterion(item, criterion)))
    .sort(comparator(plan.sort));
}

function matchesCriterion(item: ServedResource, criterion: Criterion): boolean {
  const { resource } = item;
  if (criterion.kind === 'date') {
    const range =
      criterion.name === '_lastUpdated'
        ? item.lastUpdated === undefined
          ? undefined
          : { start: item.lastUpdated, end: item.lastUpdated + 1000 }
        : mainDateRange(resource);
    return (
      range !== undefined &&
      criterion.values.some(({ prefix, range: searched }) => dateMatches(prefix, searched, range))
    );
  }
  const tokens: Token[] =
    criterion.name === '_id'
      ? [{ system: undefined, code: String(resource.id) }]
      : tokenValuesOf(resource, criterion.name);
  return criterion.values.some((wanted) =>
    tokens.some(
      (token) =>
        (wanted.system === undefined ||
          (wanted.system === '' ? token.system === undefined : token.system === wanted.system)) &&
        (wanted.code === undefined || token.code === wanted.code),
    ),
  );
}

/** FHIR's date prefixes on spans (start included, end excluded). */
function dateMatches(prefix: DatePrefix, searched: TimeRange, value: TimeRange): boolean {
  const within = value.start >= searched.start && value.end <= searched.end;
  switch (prefix) {
    case 'eq':
      return within;
    case 'ne':
      return !within;
    case 'gt':
      return value.end > searched.end;
    case 'lt':
      return value.start < searched.start;
    case 'ge':
      return value.end > searched.end || within;
    case 'le':
      return value.start < searched.start || within;
    case 'sa':
      return value.start >= searched.end;
    case 'eb':
      return value.end <= searched.start;
    case 'ap':
      return value.start < searched.end && value.end > searched.start;
  }
}

/** The order of `_sort` (by default: when last updated, then id), missing values last. */
function comparator(keys: readonly SortKey[]) {
  const order = keys.length ? keys : [{ name: '_lastUpdated', descending: false } as const];
  const sortValue = (item: ServedResource, name: SortKey['name']): number | string | undefined =>
    name === '_id'
      ? String(item.resource.id)
      : name === '_lastUpdated'
        ? item.lastUpdated
        : mainDateRange(item.resource)?.start;
  return (a: ServedResource, b: ServedResource): number => {
    for (const key of order) {
      const x = sortValue(a, key.name);
      const y = sortValue(b, key.name);
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const compared = x < y ? -1 : 1;
      return key.descending ? -compared : compared;
    }
    return String(a.resource.id).localeCompare(String(b.resource.id));
  };
}

/**
 * The resources the page's references name, for `_include`: other records of the searched
 * patients (their current version, if the user may see it), or the patients themselves.
 */
async function includedResources(
  context: FhirContext,
  plan: SearchPlan,
  page: readonly ServedResource[],
  recordsOf: Map<Address, PatientRecords>,
): Promise<FhirResource[]> {
  if (!plan.includes.length) return [];
  const seen = new Set(page.map((item) => `${item.resource.resourceType}/${item.resource.id}`));
  const included: FhirResource[] = [];
  for (const item of page) {
    for (const include of plan.includes) {
      for (const reference of referencesOf(includeValuesOf(item.resource, include.parameter))) {
        const target = referenceTarget(reference);
        if (!target || (include.target && include.target !== target.type)) continue;
        const key = `${target.type}/${target.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const resource = await resolveReference(context, target, recordsOf);
        if (resource) included.push(resource);
      }
    }
  }
  return included;
}

async function resolveReference(
  context: FhirContext,
  target: { type: string; id: string },
  recordsOf: Map<Address, PatientRecords>,
): Promise<FhirResource | undefined> {
  const address = target.type === 'Patient' ? addressOfId(target.id) : undefined;
  if (address) {
    const records = recordsOf.get(address);
    return records ? (await patientResourceOf(context, records)).resource : undefined;
  }
  for (const records of recordsOf.values()) {
    const chain = records.chains.get(target.id.toLowerCase());
    const record = chain?.latest.record;
    if (!chain || !record) continue;
    try {
      const stored = await readResource(context, record);
      return stored.resourceType === target.type
        ? presentResource(stored, chain.id, factsOf(chain.latest))
        : undefined;
    } catch (error) {
      if (error instanceof AccessDeniedError) return undefined;
      throw error;
    }
  }
  return undefined;
}
