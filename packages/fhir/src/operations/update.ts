/**
 * update (`PUT /fhir/Type/id`): a new record superseding the resource's latest version, in the same
 * category and sensitivity, validated before it is encrypted. No create on update: an unknown id is
 * 404 (the server chooses ids), except that a patient's own Patient (`Patient/0x…`) gets its first
 * record. `If-Match: W/"n"` must name the latest version (412 otherwise).
 */
import {
  type Category,
  ConflictError,
  type FhirResource,
  InvalidInputError,
  type Sensitivity,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { FhirContext } from '../context.ts';
import { fhirReasons } from '../outcome.ts';
import { forgetListing } from '../patientRecords.ts';
import type { ListedRecord } from '../resourceChains.ts';
import { presentResource, storedContentOf } from '../resources.ts';
import {
  categoryFor,
  referencedPatient,
  requireResourceBody,
  validated,
  type WriteResult,
} from './create.ts';
import { refuseLedgerWrite } from './ledgerResources.ts';
import { locateResource, type ResourceAddress, readVersion } from './read.ts';

export interface UpdateInput extends ResourceAddress {
  body: unknown;
  /** The `If-Match` header, if sent. */
  ifMatch?: string | undefined;
}

/** An update checked and ready to write: the new version's record. */
export interface PreparedUpdate {
  patient: Address;
  category: Category;
  resource: FhirResource;
  /** The id the resource is shown with. */
  id: string;
  /** The latest version's record, superseded by this one (none: a patient's first Patient record). */
  supersedes: ListedRecord | undefined;
  versionId: number;
}

/**
 * Checks an update without writing anything: the resource, its id, the patient it names, `If-Match`
 * against the latest version, the type of the latest version, validation under its category.
 */
export async function prepareUpdate(context: FhirContext, input: UpdateInput): Promise<PreparedUpdate> {
  refuseLedgerWrite(input.type);
  const body = requireResourceBody(input.body, input.type);
  if (body.id !== undefined && String(body.id).toLowerCase() !== input.id.toLowerCase()) {
    throw new InvalidInputError(`The body's id ${String(body.id)} is not ${input.id}, the id in the URL.`);
  }
  const located = await locateResource(context, input);
  const patient = located.records.patient;
  const content = storedContentOf(body);
  const referenced = await referencedPatient(context, content);
  if (referenced && referenced !== patient) {
    throw new InvalidInputError(
      `${input.type}/${input.id} belongs to patient ${patient}, not ${referenced}.`,
    );
  }
  const latest = located.chain?.latest;
  const expected =
    input.ifMatch === undefined ? undefined : /^(?:W\/)?"([^"]*)"$/.exec(input.ifMatch.trim())?.[1];
  if (input.ifMatch !== undefined && expected !== String(latest?.versionId ?? 0)) {
    throw new ConflictError(
      `If-Match names version ${expected ?? input.ifMatch}, but the latest version is ${latest?.versionId ?? 'none'}.`,
      { reason: fhirReasons.preconditionFailed },
    );
  }
  const previous = latest ? await readVersion(context, latest) : undefined;
  if (previous && previous.resourceType !== input.type) {
    throw new InvalidInputError(`${input.id} is a ${previous.resourceType}, not a ${input.type}.`);
  }
  const record = latest?.record as ListedRecord | undefined;
  const category = (record?.category as Category | undefined) ?? categoryFor(content);
  return {
    patient,
    category,
    resource: validated(content, category),
    id: located.id,
    supersedes: record,
    versionId: (latest?.versionId ?? 0) + 1,
  };
}

/** Writes a prepared update: a record superseding the latest version, in its category and sensitivity. */
export async function writeUpdate(context: FhirContext, prepared: PreparedUpdate): Promise<WriteResult> {
  const { patient, category, resource, supersedes } = prepared;
  const createdAt = Math.floor(Date.now() / 1000);
  try {
    const added = await context.client.addRecord({
      patient,
      category,
      resource,
      ...(supersedes
        ? { sensitivity: supersedes.sensitivity as Sensitivity, supersedes: supersedes.recordId as Hex }
        : {}),
    });
    context.cache.set(added.recordId.toLowerCase(), JSON.stringify(resource));
  } finally {
    forgetListing(context, patient);
  }
  return {
    resource: presentResource(resource, prepared.id, { versionId: prepared.versionId, createdAt }),
    created: !supersedes,
  };
}

/**
 * @example
 * const { resource } = await update(context, { type: 'Observation', id, body: amended, ifMatch: 'W/"1"' });
 */
export async function update(context: FhirContext, input: UpdateInput): Promise<WriteResult> {
  return writeUpdate(context, await prepareUpdate(context, input));
}
