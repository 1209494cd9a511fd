/**
 * read and vread: a resource's current version, or one version, by logical id. Where no patient
 * is given, the record's patient comes from the gateway's public anchor index; then that patient's
 * records the user may see are listed. A record the user may not see is asked for all the same, so
 * that the gateway refuses it and audits the refusal (403).
 */
import { type FhirResource, NotFoundError } from '@medledger/core';
import type { Hex } from 'viem';
import type { FhirContext } from '../context.ts';
import { addressOfId, recordIdOfLogicalId } from '../fhirIds.ts';
import { listPatientRecords, patientOfRecord, readResource } from '../patientRecords.ts';
import type { ListedRecord, PatientRecords, ResourceChain, ResourceVersion } from '../resourceChains.ts';
import { factsOf, patientResourceOf, presentResource, requireRegisteredPatient } from '../resources.ts';
import { isLedgerResourceType, readLedgerResource } from './ledgerResources.ts';

export interface ResourceAddress {
  type: string;
  id: string;
}

/** A resource found: its chain of versions (none for a patient without a Patient record), and the id it is shown with. */
export interface LocatedResource {
  records: PatientRecords;
  chain: ResourceChain | undefined;
  id: string;
}

function notFound(address: ResourceAddress): NotFoundError {
  return new NotFoundError(`No ${address.type} with id ${address.id}.`, { reason: 'resource_not_found' });
}

/**
 * Finds a resource's chain. `Patient/0x…` is the patient's newest current Patient record (or none);
 * any other id must be a logical id. Throws `NotFoundError` for an unknown id, `AccessDeniedError`
 * (audited by the gateway) for a resource the user may not see.
 */
export async function locateResource(
  context: FhirContext,
  address: ResourceAddress,
): Promise<LocatedResource> {
  const patient = address.type === 'Patient' ? addressOfId(address.id) : undefined;
  if (patient) {
    await requireRegisteredPatient(context, patient);
    const records = await listPatientRecords(context, patient);
    const served = await patientResourceOf(context, records);
    return { records, chain: served.chain, id: patient };
  }
  const recordId = recordIdOfLogicalId(address.id);
  if (!recordId) throw notFound(address);
  let owner: `0x${string}`;
  try {
    owner = await patientOfRecord(context, recordId);
  } catch (error) {
    throw error instanceof NotFoundError ? notFound(address) : error;
  }
  let records = await listPatientRecords(context, owner);
  let chain = records.chains.get(address.id.toLowerCase());
  if (!chain) {
    // Written since the kept listing, perhaps: asked again before anything is concluded.
    records = await listPatientRecords(context, owner, { fresh: true });
    chain = records.chains.get(address.id.toLowerCase());
  }
  if (chain) return { records, chain, id: chain.id };
  // A later version's record id is not a logical id; any other anchored record is one the user
  // may not see: asked for, so that the gateway refuses it and audits the refusal.
  if (records.chainOfRecord.has(recordId)) throw notFound(address);
  await refuseUnseen(context, recordId);
  throw notFound(address);
}

/**
 * Asks the gateway for a record the user was not listed: it refuses it (`AccessDeniedError`,
 * audited). Should it release it after all (a consent given since), it is not found as asked.
 */
async function refuseUnseen(context: FhirContext, recordId: Hex): Promise<void> {
  await context.client.readRecord(recordId, context.purpose);
  throw new NotFoundError('This version is not listed to you; ask again.', { reason: 'resource_not_listed' });
}

/** The stored resource of a version, if the user may see it (else refused, audited, by the gateway). */
export async function readVersion(context: FhirContext, version: ResourceVersion): Promise<FhirResource> {
  if (!version.record) await refuseUnseen(context, version.recordId);
  return readResource(context, version.record as ListedRecord);
}

/**
 * The current version of a resource, as served.
 *
 * @example
 * const observation = await read(context, { type: 'Observation', id });
 */
export async function read(context: FhirContext, address: ResourceAddress): Promise<FhirResource> {
  if (isLedgerResourceType(address.type)) {
    // A record may hold a Consent, AuditEvent or Provenance too (imported, say): it is read as
    // stored; any other id names one derived from the ledger.
    if (!recordIdOfLogicalId(address.id)) return readLedgerResource(context, address.type, address.id);
    try {
      return await readStored(context, address);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return readLedgerResource(context, address.type, address.id);
    }
  }
  return readStored(context, address);
}

async function readStored(context: FhirContext, address: ResourceAddress): Promise<FhirResource> {
  const located = await locateResource(context, address);
  if (!located.chain) return (await patientResourceOf(context, located.records)).resource;
  return versionOf(context, address, located, located.chain.latest);
}

/** One version of a resource (`_history/n`), as served. */
export async function vread(
  context: FhirContext,
  address: ResourceAddress & { versionId: string },
): Promise<FhirResource> {
  const located = await locateResource(context, address);
  const version = located.chain?.versions.find(
    (candidate) => String(candidate.versionId) === address.versionId,
  );
  if (!version) {
    throw new NotFoundError(`${address.type}/${address.id} has no version ${address.versionId}.`, {
      reason: 'version_not_found',
    });
  }
  return versionOf(context, address, located, version);
}

async function versionOf(
  context: FhirContext,
  address: ResourceAddress,
  located: LocatedResource,
  version: ResourceVersion,
): Promise<FhirResource> {
  const stored = await readVersion(context, version);
  if (stored.resourceType !== address.type) throw notFound(address);
  return presentResource(stored, located.id, factsOf(version));
}
