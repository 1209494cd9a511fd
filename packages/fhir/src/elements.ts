/**
 * What search reads in a resource: values at an element path, its dates as time ranges, its
 * codes as tokens, and the references it holds. Plain JSON walking; no FHIRPath.
 */

/** A span of time in Unix milliseconds, start included, end excluded; open ends are infinite. */
export interface TimeRange {
  start: number;
  end: number;
}

/** A coded value: a Coding, a code, an Identifier (its value as the code), a boolean. */
export interface Token {
  system: string | undefined;
  code: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The values at a dotted path (`participant.individual`), arrays flattened at every step.
 *
 * @example
 * valuesAt(encounter, 'participant.individual'); // [{ reference: 'Practitioner/…' }, …]
 */
export function valuesAt(resource: unknown, path: string): unknown[] {
  let current: unknown[] = [resource];
  for (const name of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      const child = isObject(value) ? value[name] : undefined;
      if (Array.isArray(child)) next.push(...child);
      else if (child !== undefined && child !== null) next.push(child);
    }
    current = next;
  }
  return current;
}

/** The values of a choice element (`effective` gives effectiveDateTime, effectivePeriod, …) or a plain one. */
export function choiceValues(resource: Record<string, unknown>, name: string): unknown[] {
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(resource)) {
    const matches = key === name || (key.startsWith(name) && /^[A-Z]/.test(key.slice(name.length)));
    if (matches && value !== undefined && value !== null) {
      values.push(...(Array.isArray(value) ? value : [value]));
    }
  }
  return values;
}

const datePattern =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The span a FHIR date, dateTime or instant stands for at its precision: `2024` is the whole year,
 * `2024-03-01T10:00` that minute. Without a time zone, UTC. Undefined if it is none of them.
 *
 * @example
 * dateRange('2024-03'); // { start: Date.UTC(2024, 2), end: Date.UTC(2024, 3) }
 */
export function dateRange(text: string): TimeRange | undefined {
  const match = datePattern.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const y = Number(year);
  if (month === undefined) return { start: Date.UTC(y, 0), end: Date.UTC(y + 1, 0) };
  const m = Number(month) - 1;
  if (m < 0 || m > 11) return undefined;
  if (day === undefined) return { start: Date.UTC(y, m), end: Date.UTC(y, m + 1) };
  const d = Number(day);
  if (d < 1 || d > 31) return undefined;
  if (hour === undefined) return { start: Date.UTC(y, m, d), end: Date.UTC(y, m, d + 1) };
  const offset = zone && zone !== 'Z' ? zoneOffsetMs(zone) : 0;
  const milliseconds = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const start = Date.UTC(y, m, d, Number(hour), Number(minute), Number(second ?? 0), milliseconds) - offset;
  const width = second === undefined ? 60_000 : fraction === undefined ? 1000 : 1;
  return { start, end: start + width };
}

function zoneOffsetMs(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hours, minutes] = zone.slice(1).split(':').map(Number);
  return sign * ((hours ?? 0) * 60 + (minutes ?? 0)) * 60_000;
}

/** The span of a date-like value: a date, dateTime, instant or Period (an open end is infinite). */
export function rangeOfValue(value: unknown): TimeRange | undefined {
  if (typeof value === 'string') return dateRange(value);
  if (isObject(value) && ('start' in value || 'end' in value)) {
    const start = typeof value.start === 'string' ? dateRange(value.start)?.start : undefined;
    const end = typeof value.end === 'string' ? dateRange(value.end)?.end : undefined;
    if (start === undefined && end === undefined) return undefined;
    return { start: start ?? Number.NEGATIVE_INFINITY, end: end ?? Number.POSITIVE_INFINITY };
  }
  return undefined;
}

/** The tokens of a value: a CodeableConcept's codings, a Coding, a code, an Identifier, a boolean. */
export function tokensOf(value: unknown): Token[] {
  if (typeof value === 'string') return [{ system: undefined, code: value }];
  if (typeof value === 'boolean') return [{ system: undefined, code: String(value) }];
  if (Array.isArray(value)) return value.flatMap(tokensOf);
  if (!isObject(value)) return [];
  if (Array.isArray(value.coding)) return value.coding.flatMap(tokensOf);
  const system = typeof value.system === 'string' ? value.system : undefined;
  if (typeof value.code === 'string') return [{ system, code: value.code }];
  if (typeof value.value === 'string') return [{ system, code: value.value }];
  return [];
}

/** The `reference` strings held by values (References, or elements whose parts are References). */
export function referencesOf(values: readonly unknown[]): string[] {
  const references: string[] = [];
  for (const value of values) {
    if (isObject(value) && typeof value.reference === 'string') references.push(value.reference);
  }
  return references;
}
