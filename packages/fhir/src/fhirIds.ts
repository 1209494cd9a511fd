/**
 * How records and patients are named in FHIR. A resource's logical id is the record id of its first
 * version, as 64 lower-case hex digits without `0x` (core's `recordFhirId`; later versions
 * supersede it and keep its id); a patient's id is its address, lower-case with `0x`.
 */
import { InvalidInputError, r4ResourceTypes } from '@medledger/core';
import type { Address, Hex } from 'viem';

const logicalIdPattern = /^[0-9a-f]{64}$/;
const addressPattern = /^0x[0-9a-f]{40}$/;

/** The record id of a resource's first version, if `id` is a logical id. */
export function recordIdOfLogicalId(id: string): Hex | undefined {
  const lower = id.toLowerCase();
  return logicalIdPattern.test(lower) ? (`0x${lower}` as Hex) : undefined;
}

/** The address `id` names, if it is one (any case). */
export function addressOfId(id: string): Address | undefined {
  const lower = id.toLowerCase();
  return addressPattern.test(lower) ? (lower as Address) : undefined;
}

/**
 * The patient a `patient`/`subject` search value or a reference names: `Patient/0x…`, a bare
 * address, or an absolute URL ending in `Patient/0x…`. Throws `InvalidInputError` otherwise.
 */
export function parsePatientReference(value: string): Address {
  const id = value.replace(/^.*\bPatient\//, '');
  const address = addressOfId(id);
  if (!address) {
    throw new InvalidInputError(
      `Invalid patient "${value}": expected Patient/ and an address (0x and 40 hex digits).`,
    );
  }
  return address;
}

/** `Type/id` of a reference (relative or absolute, `_history` dropped), if it names one. */
export function referenceTarget(reference: string): { type: string; id: string } | undefined {
  const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  if (!match) return undefined;
  return { type: match[1] as string, id: match[2] as string };
}

/** Whether `type` is a FHIR R4 resource type. */
export function isResourceType(type: string): boolean {
  return r4ResourceTypes.has(type);
}
