import type { Category } from '../vocabulary.ts';
import {
  type DatatypeName,
  datatypes,
  type ElementRule,
  type PrimitiveType,
  resourceBase,
  resourceElements,
  type Shape,
} from './r4Elements.ts';
import { categoryMismatch, isObject, r4ResourceTypes } from './resourceTypes.ts';
import type { FhirIssue } from './types.ts';

/** At most this many issues are listed; the rest are dropped. */
export const maxIssues = 50;
/** Objects nested deeper than this (sections within sections, bundles within bundles) are refused. */
const maxDepth = 64;

/**
 * Every problem (up to `maxIssues`) that keeps a parsed JSON value from being a valid FHIR R4
 * resource for a record of `category`: category fit first, then structure. An empty list means
 * the value is valid. `validateResource` throws on the same problems.
 *
 * @example
 * listResourceIssues({ resourceType: 'Observation', status: 'final' }, 'lab');
 * // [{ path: 'Observation.code', message: 'missing: required (1..1), expected a CodeableConcept' }]
 */
export function listResourceIssues(value: unknown, category: Category): FhirIssue[] {
  const issues: FhirIssue[] = [];
  const root =
    isObject(value) && typeof value.resourceType === 'string' && r4ResourceTypes.has(value.resourceType);
  const path = root ? String((value as Record<string, unknown>).resourceType) : '$';
  if (root) checkCategory(value as Record<string, unknown>, category, path, issues);
  checkResource(value, path, issues, 0);
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

function checkResource(value: unknown, path: string, issues: FhirIssue[], depth: number) {
  if (!isObject(value)) {
    issues.push({ path, message: `expected a FHIR resource (a JSON object), got ${kindOf(value)}` });
    return;
  }
  const { resourceType, id } = value;
  if (typeof resourceType !== 'string') {
    issues.push({
      path: `${path}.resourceType`,
      message: `expected a string naming an R4 resource type, got ${kindOf(resourceType)}`,
    });
    return;
  }
  if (!r4ResourceTypes.has(resourceType)) {
    issues.push({
      path: `${path}.resourceType`,
      message: `"${clip(resourceType)}" is not a FHIR R4 resource type`,
    });
    return;
  }
  if (id !== undefined && !(typeof id === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(id))) {
    issues.push({
      path: `${path}.id`,
      message: `expected an id (1 to 64 of A-Z a-z 0-9 - .), got ${typeof id === 'string' ? `"${clip(id)}"` : kindOf(id)}`,
    });
  }
  checkShape(value, resourceBase, path, issues, depth);
  const elements = resourceElements[resourceType];
  if (elements) checkShape(value, elements, path, issues, depth);
}

function checkShape(
  value: Record<string, unknown>,
  shape: Shape,
  path: string,
  issues: FhirIssue[],
  depth: number,
) {
  if (depth > maxDepth) {
    issues.push({ path, message: `nested more than ${maxDepth} levels deep` });
    return;
  }
  for (const [name, rule] of Object.entries(shape)) {
    if (issues.length >= maxIssues) return;
    if (isChoice(rule.type)) checkChoice(value, name, rule.type, rule.min, path, issues, depth);
    else checkElement(value[name], rule, `${path}.${name}`, issues, depth);
  }
}

function checkElement(value: unknown, rule: ElementRule, path: string, issues: FhirIssue[], depth: number) {
  const label = typeLabel(rule.type);
  if (value === undefined) {
    if (rule.min === 1) {
      issues.push({ path, message: `missing: required (${rule.many ? '1..*' : '1..1'}), expected ${label}` });
    }
    return;
  }
  if (!rule.many) {
    if (Array.isArray(value)) issues.push({ path, message: `expected a single ${label}, got an array` });
    else checkValue(value, rule, path, issues, depth);
    return;
  }
  if (!Array.isArray(value)) {
    issues.push({ path, message: `expected an array of ${label}, got ${kindOf(value)}` });
    return;
  }
  if (value.length === 0) {
    issues.push({ path, message: 'expected a non-empty array (FHIR JSON has no empty arrays)' });
    return;
  }
  value.forEach((item, index) => {
    checkValue(item, rule, `${path}[${index}]`, issues, depth);
  });
}

function checkChoice(
  value: Record<string, unknown>,
  name: string,
  types: readonly (PrimitiveType | DatatypeName)[],
  min: 0 | 1,
  path: string,
  issues: FhirIssue[],
  depth: number,
) {
  const keys = types.map((type) => `${name}${type[0]!.toUpperCase()}${type.slice(1)}`);
  const present = keys.filter((key) => value[key] !== undefined);
  if (present.length === 0) {
    if (min === 1)
      issues.push({
        path: `${path}.${name}[x]`,
        message: `missing: required (1..1), expected one of ${keys.join(', ')}`,
      });
    return;
  }
  if (present.length > 1) {
    issues.push({
      path: `${path}.${name}[x]`,
      message: `expected only one of ${keys.join(', ')}, got ${present.join(' and ')}`,
    });
    return;
  }
  const key = present[0]!;
  const type = types[keys.indexOf(key)]!;
  checkElement(value[key], { type, min: 1, many: false }, `${path}.${key}`, issues, depth);
}

function checkValue(value: unknown, rule: ElementRule, path: string, issues: FhirIssue[], depth: number) {
  const { type } = rule;
  if (isChoice(type)) return;
  if (type === 'Resource') {
    checkResource(value, path, issues, depth + 1);
    return;
  }
  if (typeof type === 'string' && type in primitiveChecks) {
    const problem = primitiveChecks[type as PrimitiveType](value);
    if (problem) {
      issues.push({ path, message: problem });
    } else if (rule.values && !rule.values.includes(value as string)) {
      issues.push({
        path,
        message: `expected one of ${rule.values.join(' | ')}, got "${clip(String(value))}"`,
      });
    }
    return;
  }
  if (!isObject(value)) {
    issues.push({ path, message: `expected ${typeLabel(type)}, got ${kindOf(value)}` });
    return;
  }
  if (Object.keys(value).length === 0) {
    issues.push({ path, message: `expected ${typeLabel(type)}, got an empty object` });
    return;
  }
  const shape = typeof type === 'string' ? datatypes[type as DatatypeName] : type;
  checkShape(value, shape, path, issues, depth + 1);
}

function isChoice(type: ElementRule['type']): type is readonly (PrimitiveType | DatatypeName)[] {
  return Array.isArray(type);
}

const dateTimePattern =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
const datePattern =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/;
const instantPattern =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;
const timePattern = /^([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?$/;

function stringMatching(label: string, pattern: RegExp, echo: boolean) {
  return (value: unknown): string | undefined => {
    if (typeof value !== 'string') return `expected ${label}, got ${kindOf(value)}`;
    if (pattern.test(value)) return undefined;
    return `expected ${label}, got ${echo ? `"${clip(value)}"` : 'a string in another format'}`;
  };
}

function numberWhere(label: string, test: (value: number) => boolean) {
  return (value: unknown): string | undefined => {
    if (typeof value === 'number' && test(value)) return undefined;
    return `expected ${label}, got ${typeof value === 'number' ? String(value) : kindOf(value)}`;
  };
}

const isInt32 = (value: number) => Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;

const primitiveChecks: Readonly<Record<PrimitiveType, (value: unknown) => string | undefined>> = {
  string: stringMatching('a non-empty string', /^[\s\S]+$/, false),
  markdown: stringMatching('a non-empty markdown string', /^[\s\S]+$/, false),
  xhtml: stringMatching('an XHTML <div>', /^\s*<div[\s>]/, false),
  code: stringMatching('a code (no leading, trailing or double whitespace)', /^[^\s]+(\s[^\s]+)*$/, true),
  id: stringMatching('an id (1 to 64 of A-Z a-z 0-9 - .)', /^[A-Za-z0-9\-.]{1,64}$/, true),
  uri: stringMatching('a URI (no whitespace)', /^\S+$/, true),
  dateTime: stringMatching(
    'a dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz)',
    dateTimePattern,
    true,
  ),
  date: stringMatching('a date (YYYY, YYYY-MM or YYYY-MM-DD)', datePattern, true),
  instant: stringMatching('an instant (YYYY-MM-DDThh:mm:ss+zz:zz)', instantPattern, true),
  time: stringMatching('a time (hh:mm:ss)', timePattern, true),
  base64Binary: (value) => {
    if (typeof value !== 'string') return `expected base64 data, got ${kindOf(value)}`;
    const compact = value.replace(/\s+/g, '');
    if (compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
    return 'expected base64 data, got a string that is not base64';
  },
  boolean: (value) => (typeof value === 'boolean' ? undefined : `expected a boolean, got ${kindOf(value)}`),
  integer: numberWhere('an integer', isInt32),
  positiveInt: numberWhere('a positive integer', (value) => isInt32(value) && value >= 1),
  unsignedInt: numberWhere('a non-negative integer', (value) => isInt32(value) && value >= 0),
  decimal: numberWhere('a decimal number', Number.isFinite),
};

function typeLabel(type: ElementRule['type']): string {
  if (isChoice(type)) return `one of ${type.join(', ')}`;
  if (type === 'Resource') return 'a FHIR resource';
  if (typeof type !== 'string') return 'an object';
  return /^[AEIOU]/i.test(type) ? `an ${type}` : `a ${type}`;
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
