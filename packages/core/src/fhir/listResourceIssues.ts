import {
  capitalize,
  fhirTypeToJsType,
  getDataType,
  type InternalSchemaElement,
  type InternalTypeSchema,
  isPrimitiveType,
  OperationOutcomeError,
  type ValidatorOptions,
  validateResource as validateWithMedplum,
} from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { Category } from '../vocabulary.ts';
import { withArticle } from '../words.ts';
import { requiredCodes, resourceSchema } from './fhirDefinitions.ts';
import { categoryMismatch, isObject, r4ResourceTypes } from './resourceTypes.ts';
import type { FhirIssue } from './types.ts';

/** At most this many issues are listed; the rest are dropped. */
export const maxIssues = 50;
/** Objects nested deeper than this (sections within sections, bundles within bundles) are refused. */
const maxDepth = 64;
/** Base64 data may fill a whole record (medplum's own default is 1 MiB). */
const base64BinaryMaxBytes = 5 * 1024 * 1024;

/**
 * Every problem (up to `maxIssues`) that keeps a parsed JSON value from being a valid FHIR R4
 * resource for a record of `category`: category fit first, then structure. An empty list means
 * the value is valid. `validateResource` throws on the same problems.
 *
 * Structure is checked by `@medplum/core`'s validator against the R4 StructureDefinitions
 * (elements, cardinality, JSON types, formats of primitives, invariants), plus what it leaves out:
 * - first, a walk over the JSON that refuses what is not shaped like FHIR JSON at all (a string or
 *   number where an object belongs, empty objects or arrays, nesting deeper than 64 levels,
 *   unknown resource types) and more than one type of a choice element (`value[x]`);
 * - then, codes outside the value set R4 binds `required` to a `code` element (`Observation.status`).
 *
 * Before `loadFhirDefinitions()` has resolved, a browser throws here (Node loads them itself).
 *
 * @example
 * listResourceIssues({ resourceType: 'Observation', status: 'final' }, 'lab');
 * // [{ path: 'Observation.code', message: 'missing required property' }]
 */
export function listResourceIssues(value: unknown, category: Category): FhirIssue[] {
  const issues: FhirIssue[] = [];
  const root =
    isObject(value) && typeof value.resourceType === 'string' && r4ResourceTypes.has(value.resourceType);
  const path = root ? String((value as Record<string, unknown>).resourceType) : '$';
  if (root) checkCategory(value as Record<string, unknown>, category, path, issues);
  const walk: Walk = { issues, malformed: false };
  checkResource(value, path, walk, 0);
  // medplum's validator trusts the JSON to be shaped like FHIR (it crawls a string as an object).
  if (!walk.malformed) issues.push(...listMedplumIssues(value as Resource));
  return issues.slice(0, maxIssues);
}

function checkCategory(
  resource: Record<string, unknown>,
  category: Category,
  path: string,
  issues: FhirIssue[],
) {
  const mismatch = categoryMismatch(resource, category);
  if (mismatch) {
    const field = resource.resourceType === 'Bundle' ? 'type' : 'resourceType';
    issues.push({ path: `${path}.${field}`, message: mismatch });
    return;
  }
  if (resource.resourceType !== 'Bundle') return;
  const entries = resource.entry;
  if (!Array.isArray(entries) || entries.length === 0) {
    issues.push({ path: `${path}.entry`, message: 'a Bundle record must hold at least one entry' });
    return;
  }
  entries.forEach((entry, index) => {
    const entryPath = `${path}.entry[${index}].resource`;
    const resource = isObject(entry) ? entry.resource : undefined;
    if (!isObject(resource)) {
      issues.push({
        path: entryPath,
        message: 'missing: every entry of a Bundle record must hold a resource',
      });
    } else if (typeof resource.resourceType !== 'string' || !r4ResourceTypes.has(resource.resourceType)) {
      // reported by the structure check
    } else if (resource.resourceType === 'Bundle') {
      issues.push({
        path: `${entryPath}.resourceType`,
        message: 'a Bundle record cannot nest another Bundle',
      });
    } else {
      const entryMismatch = categoryMismatch(resource, category);
      if (entryMismatch) issues.push({ path: `${entryPath}.resourceType`, message: entryMismatch });
    }
  });
}

/** The issues found so far; `malformed` once the JSON is too far from FHIR for medplum to crawl. */
type Walk = { issues: FhirIssue[]; malformed: boolean };

function listMedplumIssues(resource: Resource): FhirIssue[] {
  const collect: NonNullable<ValidatorOptions['collect']> = { tokens: {} };
  const issues: FhirIssue[] = [];
  try {
    validateWithMedplum(resource, { collect, base64BinaryMaxBytes });
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    // Invariants last: one that fails for want of an element says less than the missing element.
    const errors = (error.outcome.issue ?? []).filter(
      (issue) => issue.severity === 'error' || issue.severity === 'fatal',
    );
    errors.sort((a, b) => Number(a.code === 'invariant') - Number(b.code === 'invariant'));
    for (const issue of errors) {
      issues.push({
        path: issue.expression?.[0] ?? resource.resourceType,
        message: lowerFirst(issue.details?.text ?? issue.code),
      });
    }
  }
  for (const [valueSet, values] of Object.entries(collect.tokens ?? {})) {
    const codes = requiredCodes(valueSet);
    if (!codes) continue;
    for (const { type, value, path } of values) {
      if (type !== 'code' || typeof value !== 'string' || codes.has(value)) continue;
      const expected = codes.size <= 12 ? `one of ${[...codes].join(' | ')}` : `a code of ${valueSet}`;
      issues.push({ path, message: `expected ${expected}, got "${clip(value)}"` });
    }
  }
  return issues;
}

/** Records an issue that leaves the JSON too far from FHIR for medplum's validator to crawl. */
function malformed(walk: Walk, issue: FhirIssue) {
  walk.issues.push(issue);
  walk.malformed = true;
}

/** Checks that `value` is a resource of an R4 type, then its elements against the type's schema. */
function checkResource(value: unknown, path: string, walk: Walk, depth: number) {
  if (!isObject(value)) {
    malformed(walk, { path, message: `expected a FHIR resource (a JSON object), got ${kindOf(value)}` });
    return;
  }
  const { resourceType, id } = value;
  if (typeof resourceType !== 'string') {
    malformed(walk, {
      path: `${path}.resourceType`,
      message: `expected a string naming an R4 resource type, got ${kindOf(resourceType)}`,
    });
    return;
  }
  const schema = r4ResourceTypes.has(resourceType) ? resourceSchema(resourceType) : undefined;
  if (!schema) {
    malformed(walk, {
      path: `${path}.resourceType`,
      message: `"${clip(resourceType)}" is not a FHIR R4 resource type`,
    });
    return;
  }
  // R4's StructureDefinitions type Resource.id as a plain string; FHIR ids have a format.
  if (id !== undefined && !(typeof id === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(id))) {
    walk.issues.push({
      path: `${path}.id`,
      message: `expected an id (1 to 64 of A-Z a-z 0-9 - .), got ${typeof id === 'string' ? `"${clip(id)}"` : kindOf(id)}`,
    });
  }
  checkObject(value, schema, path, walk, depth);
}

/**
 * Checks the JSON shape of an object of a complex type, element by element: each value of a
 * complex type must be a non-empty object, of a resource type a resource, and at most one type
 * of each choice element may be present. Elements the schema does not know are left to medplum.
 */
function checkObject(
  value: Record<string, unknown>,
  schema: InternalTypeSchema,
  path: string,
  walk: Walk,
  depth: number,
) {
  if (depth > maxDepth) {
    malformed(walk, { path, message: `nested more than ${maxDepth} levels deep` });
    return;
  }
  const choices = new Map<string, string[]>();
  for (const [key, item] of Object.entries(value)) {
    if (walk.issues.length >= maxIssues) return;
    if (key === 'resourceType') continue;
    const itemPath = `${path}.${key}`;
    const element = elementOf(schema, key);
    if (!element) {
      checkJson(item, itemPath, walk, depth + 1);
      continue;
    }
    if (element.choice) choices.set(element.choice, [...(choices.get(element.choice) ?? []), key]);
    if (!Array.isArray(item)) {
      checkValue(item, element.type, itemPath, walk, depth + 1);
    } else if (item.length === 0) {
      walk.issues.push({
        path: itemPath,
        message: 'expected a non-empty array (FHIR JSON has no empty arrays)',
      });
    } else {
      item.forEach((one, index) => {
        checkValue(one, element.type, `${itemPath}[${index}]`, walk, depth + 1);
      });
    }
  }
  for (const [choice, keys] of choices) {
    if (keys.length > 1) {
      walk.issues.push({
        path: `${path}.${choice}`,
        message: `expected only one of its types, got ${keys.join(' and ')}`,
      });
    }
  }
}

function checkValue(value: unknown, type: string, path: string, walk: Walk, depth: number) {
  if (isPrimitiveType(type)) {
    // medplum would take an object for a primitive's extensions and the value as missing.
    if (typeof value === 'object' && value !== null) {
      malformed(walk, {
        path,
        message: `expected ${withArticle(type)} (a JSON ${jsonKindOf(type)}), got ${kindOf(value)}`,
      });
    }
  } else if (type === 'Resource') {
    checkResource(value, path, walk, depth);
  } else if (!isObject(value)) {
    malformed(walk, { path, message: `expected ${withArticle(type)} (a JSON object), got ${kindOf(value)}` });
  } else if (Object.keys(value).length === 0) {
    walk.issues.push({ path, message: `expected ${withArticle(type)}, got an empty object` });
  } else {
    checkObject(value, getDataType(type), path, walk, depth);
  }
}

/** Empty objects and arrays, and depth, anywhere in JSON the schema walk does not type. */
function checkJson(value: unknown, path: string, walk: Walk, depth: number) {
  if (typeof value !== 'object' || value === null) return;
  if (depth > maxDepth) {
    malformed(walk, { path, message: `nested more than ${maxDepth} levels deep` });
    return;
  }
  const items = Array.isArray(value)
    ? value.map((item, index) => [`${path}[${index}]`, item] as const)
    : Object.entries(value).map(([key, item]) => [`${path}.${key}`, item] as const);
  if (items.length === 0) {
    const kind = Array.isArray(value) ? 'array' : 'object';
    walk.issues.push({ path, message: `expected a non-empty ${kind} (FHIR JSON has no empty ${kind}s)` });
  }
  for (const [itemPath, item] of items) checkJson(item, itemPath, walk, depth + 1);
}

/** The element a JSON key holds and its type: `valueQuantity` is the Quantity of `value[x]`. */
function elementOf(schema: InternalTypeSchema, key: string): { type: string; choice?: string } | undefined {
  const element: InternalSchemaElement | undefined = Object.hasOwn(schema.elements, key)
    ? schema.elements[key]
    : undefined;
  if (element) return element.type.length === 1 ? { type: element.type[0]!.code } : undefined;
  for (let end = 1; end < key.length; end++) {
    if (!/[A-Z]/.test(key[end]!)) continue;
    const choice = `${key.slice(0, end)}[x]`;
    const suffix = key.slice(end);
    if (!Object.hasOwn(schema.elements, choice)) continue;
    const type = schema.elements[choice]?.type.find((candidate) => capitalize(candidate.code) === suffix);
    if (type) return { type: type.code, choice };
  }
  return undefined;
}

function jsonKindOf(primitiveType: string): string {
  return (fhirTypeToJsType as Record<string, string>)[primitiveType] ?? 'string';
}

/** medplum's messages read like ours: `Missing required property` becomes `missing required property`. */
function lowerFirst(text: string): string {
  return text.slice(0, 1).toLowerCase() + text.slice(1);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function clip(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}
