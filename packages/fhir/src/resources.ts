/**
 * Resources as the server shows them: stored content unchanged but for `id` and `meta` (version and
 * time of the record), and the Patient that stands for a patient (their newest Patient record, or a
 * minimal one naming their address).
 */
import { categoryResourceTypes, type FhirResource, ledgerSystems, NotFoundError } from '@medledger/core';
import type { Address } from 'viem';
import type { FhirContext } from './context.ts';
import { currentChains, readResources } from './patientRecords.ts';
import type { ListedRecord, PatientRecords, ResourceChain, ResourceVersion } from './resourceChains.ts';

/** A resource as served, with what search sorts and filters by. */
export interface ServedResource {
  resource: FhirResource;
  /** When its version was anchored (Unix ms); undefined for a patient without a Patient record. */
  lastUpdated: number | undefined;
  chain: ResourceChain | undefined;
}

/** Whether a record of `category` may hold a `type` (the core's table; a Bundle fits any category). */
export function categoryMayHold(category: string, type: string): boolean {
  if (type === 'Bundle') return true;
  const types = categoryResourceTypes[category as keyof typeof categoryResourceTypes];
  return types ? types.includes(type) : true;
}

/** `createdAt` (Unix seconds) as an instant. */
export function instantOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** The version facts a served resource's `meta` shows. */
export interface VersionFacts {
  versionId: number;
  /** When the version's record was anchored, as signed (Unix seconds). */
  createdAt: number;
}

/** The facts of a version the user may see. */
export function factsOf(version: ResourceVersion): VersionFacts {
  return { versionId: version.versionId, createdAt: (version.record as ListedRecord).createdAt };
}

/**
 * A stored resource as served: `id`, and `meta` with the version's place and anchoring time; the
 * rest as stored.
 */
export function presentResource(stored: FhirResource, id: string, version: VersionFacts): FhirResource {
  const { resourceType, id: _storedId, meta, ...rest } = stored;
  return {
    resourceType,
    id,
    meta: {
      ...(typeof meta === 'object' && meta !== null ? meta : {}),
      versionId: String(version.versionId),
      lastUpdated: instantOf(version.createdAt),
    },
    ...rest,
  } as FhirResource;
}

/** What the server keeps of a resource it is given: all but `id` and the version elements of `meta`. */
export function storedContentOf(resource: FhirResource): FhirResource {
  const { id: _id, meta, ...rest } = resource;
  if (typeof meta !== 'object' || meta === null) return rest as FhirResource;
  const { versionId: _versionId, lastUpdated: _lastUpdated, ...kept } = meta as Record<string, unknown>;
  return (Object.keys(kept).length ? { ...rest, meta: kept } : rest) as FhirResource;
}

/** The current resources of `type` among `records`, read (and decrypted) a few at a time. */
export async function currentResourcesOf(
  context: FhirContext,
  records: PatientRecords,
  type: string | undefined,
): Promise<ServedResource[]> {
  const chains = currentChains(records).filter(
    (chain) => type === undefined || categoryMayHold(String(chain.latest.record?.category), type),
  );
  const read = await readResources(
    context,
    chains.map((chain) => chain.latest.record as ListedRecord),
  );
  const served: ServedResource[] = [];
  chains.forEach((chain, index) => {
    const stored = read[index];
    if (!stored || (type !== undefined && stored.resourceType !== type)) return;
    served.push({
      resource: presentResource(stored, chain.id, factsOf(chain.latest)),
      lastUpdated: (chain.latest.record as ListedRecord).createdAt * 1000,
      chain,
    });
  });
  return served;
}

/**
 * The Patient of `records`' patient: their newest current Patient record, shown with the address
 * as its id, or a minimal Patient whose identifier is the address when they have none.
 */
export async function patientResourceOf(
  context: FhirContext,
  records: PatientRecords,
): Promise<ServedResource> {
  const patients = await currentResourcesOf(context, records, 'Patient');
  const newest = patients.sort((a, b) => (b.lastUpdated ?? 0) - (a.lastUpdated ?? 0))[0];
  if (newest?.chain) {
    return {
      ...newest,
      resource: presentResource(newest.resource, records.patient, factsOf(newest.chain.latest)),
    };
  }
  return { resource: minimalPatient(records.patient), lastUpdated: undefined, chain: undefined };
}

/** A Patient that only names the patient's address. */
export function minimalPatient(patient: Address): FhirResource {
  return {
    resourceType: 'Patient',
    id: patient,
    identifier: [{ system: ledgerSystems.address, value: patient.toLowerCase() }],
  };
}

/**
 * Resolves when `patient` is registered with the consortium; throws `NotFoundError` otherwise.
 */
export async function requireRegisteredPatient(context: FhirContext, patient: Address): Promise<void> {
  try {
    await context.client.call('GET', `/api/patients/${patient}`);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new NotFoundError(`No patient ${patient}.`, { reason: 'patient_not_found', cause: error });
    }
    throw error;
  }
}
