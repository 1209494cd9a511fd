import { InvalidInputError } from '../errors.ts';
import type { Category } from '../vocabulary.ts';
import { listResourceIssues } from './listResourceIssues.ts';
import type { FhirResource } from './types.ts';

/** The largest resource a record may hold, in bytes of UTF-8 JSON. */
export const maxResourceBytes = 5 * 1024 * 1024;

export type ValidateResourceErrorType = InvalidInputError;

/**
 * Checks that `input` is a valid FHIR R4 resource for a record of `category` and returns it as
 * plain JSON (a copy: encrypt what this returns, not `input`). The client calls it before
 * encrypting, so it is the only gate against malformed records: the gateway never sees plaintext.
 *
 * Throws `InvalidInputError` naming the element path of the first problem (all problems are in
 * `metaMessages`) when the input is not JSON, too large, not an R4 resource, of a type the
 * category does not hold (see `categoryResourceTypes`), or breaks the R4 definition of its type
 * (see `listResourceIssues`: `@medplum/core`'s validator and what it leaves out).
 *
 * Synchronous; in a browser, await `loadFhirDefinitions()` once before the first call (Node loads
 * the definitions itself on first use, ~50 ms).
 *
 * @example
 * const resource = validateResource(observation, 'lab');
 */
export function validateResource(input: unknown, category: Category): FhirResource {
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch (cause) {
    throw new InvalidInputError('FHIR resource is not serialisable as JSON', { cause });
  }
  if (json === undefined) throw new InvalidInputError('FHIR resource is not serialisable as JSON');
  checkSize(json);
  return checkParsed(JSON.parse(json), category);
}

/**
 * Parses JSON text and validates it as `validateResource` does.
 *
 * @example
 * const resource = parseResourceJson(await file.text(), 'note');
 */
export function parseResourceJson(text: string, category: Category): FhirResource {
  if (typeof text !== 'string') throw new InvalidInputError('FHIR resource JSON must be a string');
  checkSize(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError('FHIR resource is not valid JSON', { cause });
  }
  return checkParsed(value, category);
}

function checkParsed(value: unknown, category: Category): FhirResource {
  const issues = listResourceIssues(value, category);
  const first = issues[0];
  if (!first) return value as FhirResource;
  const lines = issues.map((issue) => `${issue.path}: ${issue.message}`);
  throw new InvalidInputError(`Invalid FHIR R4 resource for category ${category}: ${lines[0]}`, {
    metaMessages: lines,
    details: `${issues.length} problem${issues.length === 1 ? '' : 's'} found`,
  });
}

function checkSize(json: string) {
  // A UTF-8 byte count is at least the UTF-16 length and at most three times it.
  const tooLarge =
    json.length > maxResourceBytes ||
    (json.length * 3 > maxResourceBytes && new TextEncoder().encode(json).byteLength > maxResourceBytes);
  if (tooLarge) {
    throw new InvalidInputError(`FHIR resource is larger than ${maxResourceBytes} bytes of JSON`);
  }
}
