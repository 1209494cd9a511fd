/**
 * Consent, AuditEvent and Provenance: resources derived from ledger state by the core's mappers,
 * read-only. Consents are the grants and access requests the user gave, holds, made or received;
 * AuditEvents the gateway's audit log of a patient (as far as the gateway shows it to the user);
 * a Provenance per record version the user may see (its author, co-signers and anchoring block).
 */
import {
  AccessDeniedError,
  accessRequestConsent,
  auditEventResource,
  consentResource,
  type FhirResource,
  InvalidInputError,
  NotFoundError,
  provenanceResource,
  recordFhirId,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { FhirContext } from '../context.ts';
import { recordIdOfLogicalId } from '../fhirIds.ts';
import { fhirReasons } from '../outcome.ts';
import { listPatientRecords, patientOfRecord, readResources } from '../patientRecords.ts';
import type { ListedRecord, PatientRecords } from '../resourceChains.ts';
import type { ServedResource } from '../resources.ts';

/** The types derived from ledger state: served, never written. */
export const ledgerResourceTypes: readonly string[] = ['Consent', 'AuditEvent', 'Provenance'];

export function isLedgerResourceType(type: string): boolean {
  return ledgerResourceTypes.includes(type);
}

/** Refuses a write to a resource derived from ledger state (405). */
export function refuseLedgerWrite(type: string): void {
  if (!isLedgerResourceType(type)) return;
  throw new InvalidInputError(
    `${type} resources are derived from the ledger and read-only here: grant or revoke consents, and add records, with the medledger API or CLI.`,
    { reason: fhirReasons.methodNotAllowed },
  );
}

function served(resource: FhirResource, lastUpdated?: number): ServedResource {
  return { resource, lastUpdated, chain: undefined };
}

async function consentsOf(context: FhirContext, patient: Address | undefined): Promise<ServedResource[]> {
  const [consents, requests] = await Promise.all([
    context.client.listConsents(),
    context.client.listAccessRequests(),
  ]);
  const ofPatient = (item: { patient: string }) => !patient || item.patient.toLowerCase() === patient;
  const grants = [...consents.given, ...consents.received].filter(ofPatient);
  const asked = [...requests.incoming, ...requests.outgoing].filter(ofPatient);
  const unique = new Map<string, ServedResource>();
  for (const grant of grants) {
    const resource = consentResource(grant) as unknown as FhirResource;
    unique.set(String(resource.id), served(resource));
  }
  for (const request of asked) {
    const resource = accessRequestConsent(request) as unknown as FhirResource;
    unique.set(String(resource.id), served(resource));
  }
  return [...unique.values()];
}

async function auditEventsOf(context: FhirContext, patient: Address | undefined): Promise<ServedResource[]> {
  try {
    const { events } = await context.client.audit(patient ? { patient } : {});
    return events.map((event) =>
      served(auditEventResource(event) as unknown as FhirResource, Date.parse(event.recordedAt)),
    );
  } catch (error) {
    if (error instanceof AccessDeniedError) return [];
    throw error;
  }
}

/** The Provenance of each record version of `records` the user may see (reading each for its type). */
async function provenancesOf(context: FhirContext, records: PatientRecords): Promise<ServedResource[]> {
  const versions = [...records.chains.values()].flatMap((chain) =>
    chain.versions.flatMap((version) => (version.record ? [{ chain, record: version.record }] : [])),
  );
  const resources = await readResources(
    context,
    versions.map(({ record }) => record),
  );
  return versions.flatMap(({ chain, record }, index) => {
    const stored = resources[index];
    if (!stored) return [];
    const id = stored.resourceType === 'Patient' ? records.patient : chain.id;
    return [served(provenanceOf(record, `${stored.resourceType}/${id}`), record.createdAt * 1000)];
  });
}

function provenanceOf(record: ListedRecord, target: string): FhirResource {
  return provenanceResource(
    { ...record, recordId: record.recordId as Hex, supersedes: record.supersedes as Hex | null },
    record.stamp,
    { target },
  ) as unknown as FhirResource;
}

/**
 * The ledger resources of `type` about `records`' patient.
 *
 * @example
 * const consents = await ledgerResourcesOf(context, 'Consent', records);
 */
export async function ledgerResourcesOf(
  context: FhirContext,
  type: string,
  records: PatientRecords,
): Promise<ServedResource[]> {
  if (type === 'Consent') return consentsOf(context, records.patient);
  if (type === 'AuditEvent') return auditEventsOf(context, records.patient);
  return provenancesOf(context, records);
}

/**
 * One ledger resource by id: `Consent/grant-N` or `request-N`, `AuditEvent/<event id>`,
 * `Provenance/<record id without 0x>`. Throws `NotFoundError` when the user has none by that id.
 */
export async function readLedgerResource(
  context: FhirContext,
  type: string,
  id: string,
): Promise<FhirResource> {
  const notFound = () => new NotFoundError(`No ${type} with id ${id}.`, { reason: 'resource_not_found' });
  if (type === 'Provenance') {
    const recordId = recordIdOfLogicalId(id);
    if (!recordId) throw notFound();
    let patient: Address;
    try {
      patient = await patientOfRecord(context, recordId);
    } catch (error) {
      throw error instanceof NotFoundError ? notFound() : error;
    }
    const records = await listPatientRecords(context, patient);
    const chain = records.chainOfRecord.get(recordId);
    const record = chain?.versions.find((version) => version.recordId === recordId)?.record;
    if (!chain || !record) {
      throw new AccessDeniedError('You may not see this record.', { reason: 'no_consent' });
    }
    const [stored] = await readResources(context, [record]);
    if (!stored) throw new AccessDeniedError('You may not read this record.', { reason: 'no_consent' });
    const target = stored.resourceType === 'Patient' ? records.patient : chain.id;
    const provenance = provenanceOf(record, `${stored.resourceType}/${target}`);
    if (recordFhirId(recordId) !== provenance.id) throw notFound();
    return provenance;
  }
  const all =
    type === 'Consent' ? await consentsOf(context, undefined) : await auditEventsOf(context, undefined);
  const found = all.find((item) => item.resource.id === id);
  if (!found) throw notFound();
  return found.resource;
}
