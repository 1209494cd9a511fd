/**
 * create (`POST /fhir/Type`): a new record holding the resource, in the category the core finds
 * for it, validated by the core before it is encrypted (the gateway never sees it), for the patient
 * its `subject`/`patient` names (a patient creating their own Patient: themselves). Conditional
 * create (`If-None-Exist`) answers the one resource that already matches instead.
 */
import {
  type Category,
  ConflictError,
  categoryOfResource,
  type FhirResource,
  InvalidInputError,
  ledgerSystems,
  recordFhirId,
  validateResource,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { FhirContext } from '../context.ts';
import { addressOfId, recordIdOfLogicalId, referenceTarget } from '../fhirIds.ts';
import { fhirReasons } from '../outcome.ts';
import { forgetListing, patientOfRecord } from '../patientRecords.ts';
import { presentResource, storedContentOf } from '../resources.ts';
import { refuseLedgerWrite } from './ledgerResources.ts';
import { findResources } from './search.ts';

export interface CreateInput {
  type: string;
  body: unknown;
  /** `If-None-Exist`: search parameters (a query string) that the resource must not match yet. */
  ifNoneExist?: string | undefined;
}

export interface WriteResult {
  resource: FhirResource;
  /** Whether a record was written (false: conditional create found the resource). */
  created: boolean;
}

/** An `InvalidInputError` that answers 422, one issue per `path: message` line. */
export function invalidResource(
  shortMessage: string,
  problems: string[],
  cause?: unknown,
): InvalidInputError {
  return new InvalidInputError(shortMessage, {
    reason: fhirReasons.invalidResource,
    metaMessages: problems,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The request body as a resource of `type`; throws `InvalidInputError` (400) otherwise. */
export function requireResourceBody(body: unknown, type: string): FhirResource {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError(`The body must be a ${type} resource in JSON.`);
  }
  const resourceType = (body as Record<string, unknown>).resourceType;
  if (resourceType !== type) {
    throw new InvalidInputError(`The body is a ${String(resourceType)}, not a ${type}.`);
  }
  return body as FhirResource;
}

/** `resource` checked by the core's validator for `category`; its problems as a 422 naming each element. */
export function validated(resource: FhirResource, category: Category): FhirResource {
  try {
    return validateResource(resource, category);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw invalidResource(error.shortMessage, error.metaMessages ?? [], error);
  }
}

/** The category a new resource goes to; throws a 422 when no category holds its type. */
export function categoryFor(resource: FhirResource): Category {
  const category = categoryOfResource(resource);
  if (!category) {
    throw invalidResource(`No record category holds a ${resource.resourceType}.`, [
      `${resource.resourceType}: no record category holds this resource type`,
    ]);
  }
  return category;
}

/** The patient a resource's `subject`, `patient` or `beneficiary` names, if it names one. */
export async function referencedPatient(
  context: FhirContext,
  resource: FhirResource,
): Promise<Address | undefined> {
  for (const element of ['subject', 'patient', 'beneficiary']) {
    const value = resource[element] as { reference?: unknown } | undefined;
    const target = typeof value?.reference === 'string' ? referenceTarget(value.reference) : undefined;
    if (target?.type !== 'Patient') continue;
    const address = addressOfId(target.id);
    if (address) return address;
    const recordId = recordIdOfLogicalId(target.id);
    if (recordId) return patientOfRecord(context, recordId);
  }
  return undefined;
}

/** Whose record a new resource becomes. */
async function patientOfNewResource(context: FhirContext, resource: FhirResource): Promise<Address> {
  const referenced = await referencedPatient(context, resource);
  if (referenced) return referenced;
  if (resource.resourceType === 'Patient') {
    const identifiers = Array.isArray(resource.identifier)
      ? (resource.identifier as Record<string, unknown>[])
      : [];
    for (const identifier of identifiers) {
      const address =
        identifier.system === ledgerSystems.address && typeof identifier.value === 'string'
          ? addressOfId(identifier.value)
          : undefined;
      if (address) return address;
    }
  }
  if ((await context.whoAmI()).patient?.registered) return context.client.address;
  const element = resource.resourceType === 'Patient' ? 'identifier' : 'subject';
  throw invalidResource(`Name the patient this ${resource.resourceType} belongs to.`, [
    resource.resourceType === 'Patient'
      ? `Patient.identifier: name the patient with an identifier of system ${ledgerSystems.address} and their address (0x…) as value`
      : `${resource.resourceType}.${element}: reference the patient as Patient/0x… (their address)`,
  ]);
}

/**
 * @example
 * const { resource } = await create(context, { type: 'Observation', body: observation });
 */
export async function create(context: FhirContext, input: CreateInput): Promise<WriteResult> {
  refuseLedgerWrite(input.type);
  const content = storedContentOf(requireResourceBody(input.body, input.type));
  const category = categoryFor(content);
  const resource = validated(content, category);
  const patient = await patientOfNewResource(context, resource);
  if (input.ifNoneExist !== undefined) {
    const parameters = [...new URLSearchParams(input.ifNoneExist.replace(/^.*\?/, ''))];
    const existing = await findResources(context, input.type, parameters, patient);
    if (existing.length > 1) {
      throw new ConflictError(`If-None-Exist matches ${existing.length} resources.`, {
        reason: fhirReasons.preconditionFailed,
      });
    }
    if (existing[0]) return { resource: existing[0].resource, created: false };
  }
  // The record's createdAt is taken by the client as it signs, within the same second or so.
  const createdAt = Math.floor(Date.now() / 1000);
  const added = await context.client.addRecord({ patient, category, resource });
  forgetListing(context, patient);
  context.cache.set(added.recordId.toLowerCase(), JSON.stringify(resource));
  const id = resource.resourceType === 'Patient' ? patient : recordFhirId(added.recordId as Hex);
  return { resource: presentResource(resource, id, { versionId: 1, createdAt }), created: true };
}
