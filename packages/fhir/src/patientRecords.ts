/**
 * A patient's records as FHIR resources with versions: the records the user may see (one listing
 * at the gateway, audited there), grouped into chains of records that supersede one another. A
 * chain is one resource; its logical id is the record id of its first version, and each record's
 * `meta.versionId` is its 1-based place in the chain. Reading decrypts locally, a few records at a
 * time, through the client's verified read, and keeps what it decrypted in the resource cache.
 */
import { gatewayRecordAnchors } from '@medledger/client';
import {
  AccessDeniedError,
  type FhirResource,
  GoneError,
  NotFoundError,
  RateLimitedError,
  recordFhirId,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { FhirContext } from './context.ts';
import type { ListedRecord, PatientRecords, ResourceChain, ResourceVersion } from './resourceChains.ts';

const zeroHash = `0x${'0'.repeat(64)}`;

/**
 * The records of `patient` that the user may see, as resources with versions. A user the gateway
 * lets see none of them (no consent: the gateway audits the denied listing) gets none. A listing
 * is asked of the gateway at most once per `context.listingTtlMs` (and once for requests that
 * need it at the same time), so what the gateway stops showing is gone from answers within it.
 *
 * @example
 * const { chains } = await listPatientRecords(context, patient);
 */
export function listPatientRecords(
  context: FhirContext,
  patient: Address,
  options: { fresh?: boolean } = {},
): Promise<PatientRecords> {
  const now = performance.now();
  const kept = context.listings.get(patient);
  if (kept && kept.expiresAt > now && !options.fresh) return kept.records;
  for (const [key, listing] of context.listings) if (listing.expiresAt <= now) context.listings.delete(key);
  const records = listFromGateway(context, patient);
  const listing = { expiresAt: now + context.listingTtlMs, records };
  context.listings.set(patient, listing);
  records.catch(() => {
    if (context.listings.get(patient) === listing) context.listings.delete(patient);
  });
  return records;
}

/** Forgets the kept listing of `patient` (after a write for them). */
export function forgetListing(context: FhirContext, patient: Address): void {
  context.listings.delete(patient);
}

async function listFromGateway(context: FhirContext, patient: Address): Promise<PatientRecords> {
  let listed: ListedRecord[];
  try {
    listed = (await context.client.listRecords(patient)).records;
  } catch (error) {
    if (!(error instanceof AccessDeniedError)) throw error;
    listed = [];
  }
  const byId = new Map(listed.map((record) => [record.recordId.toLowerCase(), record]));
  const predecessor = new Map<string, string | null>();
  const createdAt = new Map<string, number>();
  for (const record of listed) {
    predecessor.set(record.recordId.toLowerCase(), record.supersedes?.toLowerCase() ?? null);
    createdAt.set(record.recordId.toLowerCase(), record.createdAt);
  }
  // A version the user may not see (another category or sensitivity) hides where its chain starts
  // or ends: the public anchors of the patient tell (ids and links only, never content).
  const linksLeaveListing = listed.some(
    (record) =>
      (record.supersedes && !byId.has(record.supersedes.toLowerCase())) ||
      (record.supersededBy && !byId.has(record.supersededBy.toLowerCase())),
  );
  if (linksLeaveListing) {
    for (const anchor of await gatewayRecordAnchors(context.client.url, { patient })) {
      const id = anchor.recordId.toLowerCase();
      const supersedes = anchor.supersedes.toLowerCase();
      if (!predecessor.has(id)) predecessor.set(id, supersedes === zeroHash ? null : supersedes);
      if (!createdAt.has(id)) createdAt.set(id, anchor.createdAt);
    }
  }
  const places = new Map<string, { root: string; depth: number }>();
  /** The first version of `id`'s chain and `id`'s 1-based place in it. */
  const placeOf = (id: string): { root: string; depth: number } => {
    const path: string[] = [];
    let base = places.get(id);
    let current: string | null = id;
    // Back to the first version or to a version already placed; a cycle cannot be anchored, but
    // the bound keeps a broken index from looping.
    while (!base && current && path.length <= predecessor.size) {
      path.push(current);
      current = predecessor.get(current) ?? null;
      base = current ? places.get(current) : undefined;
    }
    let place = base;
    for (const member of path.reverse()) {
      place = place ? { root: place.root, depth: place.depth + 1 } : { root: member, depth: 1 };
      places.set(member, place);
    }
    return places.get(id) as { root: string; depth: number };
  };

  const members = new Map<string, string[]>();
  for (const id of predecessor.keys()) {
    const { root } = placeOf(id);
    const group = members.get(root);
    if (group) group.push(id);
    else members.set(root, [id]);
  }
  const chains = new Map<string, ResourceChain>();
  const chainOfRecord = new Map<string, ResourceChain>();
  for (const [root, ids] of members) {
    if (!ids.some((id) => byId.has(id))) continue;
    ids.sort(
      (a, b) =>
        placeOf(a).depth - placeOf(b).depth ||
        (createdAt.get(a) ?? 0) - (createdAt.get(b) ?? 0) ||
        a.localeCompare(b),
    );
    const versions = ids.map(
      (id): ResourceVersion => ({ recordId: id as Hex, versionId: placeOf(id).depth, record: byId.get(id) }),
    );
    const chain: ResourceChain = {
      id: recordFhirId(root as Hex),
      patient,
      versions,
      latest: versions.at(-1) as ResourceVersion,
    };
    chains.set(chain.id, chain);
    for (const id of ids) if (byId.has(id)) chainOfRecord.set(id, chain);
  }
  return { patient, chains, chainOfRecord };
}

/** The chains whose newest version the user may see: the current resources. */
export function currentChains(records: PatientRecords): ResourceChain[] {
  return [...records.chains.values()].filter((chain) => chain.latest.record !== undefined);
}

/**
 * The patient a record belongs to, from the gateway's public anchor index (one small page: the
 * anchor right after the id before it). Throws `NotFoundError` when no gateway anchor has that id.
 */
export async function patientOfRecord(context: FhirContext, recordId: Hex): Promise<Address> {
  const before = BigInt(recordId) - 1n;
  const after = before < 0n ? undefined : `0x${before.toString(16).padStart(64, '0')}`;
  const page = await context.client.call<{ records: { recordId: string; patient: Address }[] }>(
    'GET',
    `/api/ledger/records?limit=1${after ? `&after=${after}` : ''}`,
    undefined,
    false,
  );
  const anchor = page.records[0];
  if (!anchor || anchor.recordId.toLowerCase() !== recordId.toLowerCase()) {
    throw new NotFoundError(`No resource with id ${recordFhirId(recordId)}.`, {
      reason: 'resource_not_found',
    });
  }
  return anchor.patient.toLowerCase() as Address;
}

/**
 * The decrypted resource of a record the user may see, from the cache or read (and audited) at the
 * gateway. A copy: callers may change it.
 */
export async function readResource(context: FhirContext, record: ListedRecord): Promise<FhirResource> {
  const key = record.recordId.toLowerCase();
  const cached = context.cache.get(key);
  if (cached !== undefined) return JSON.parse(cached) as FhirResource;
  const { resource } = await readWaitingOutLimits(context, record.recordId as Hex);
  context.cache.set(key, JSON.stringify(resource));
  return resource as FhirResource;
}

/** How often one read is tried again after the gateway answered `rate_limited`. */
const maxRateLimitRetries = 30;

/**
 * The client's verified read, the gateway's rate limit waited out: a gateway counts each read as a
 * state-changing call (it is audited), so a search over thousands of records meets the limit.
 */
async function readWaitingOutLimits(context: FhirContext, recordId: Hex) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await context.client.readRecord(recordId, context.purpose);
    } catch (error) {
      if (!(error instanceof RateLimitedError) || attempt >= maxRateLimitRetries) throw error;
      const seconds = Number(error.fields?.retryAfter ?? 1);
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(seconds, 1), 60) * 1000));
    }
  }
}

/**
 * The resources of `records`, in order, read `context.readConcurrency` at a time; a record the
 * gateway refuses to release (its consent ended since it was listed, or does not cover the purpose,
 * or it was erased since) is `undefined`. Any other failure (verification, an unreachable gateway) fails the whole.
 */
export async function readResources(
  context: FhirContext,
  records: readonly ListedRecord[],
): Promise<(FhirResource | undefined)[]> {
  const results: (FhirResource | undefined)[] = new Array(records.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const index = next++;
      try {
        results[index] = await readResource(context, records[index] as ListedRecord);
      } catch (error) {
        // Erased since it was listed: gone, like a record whose consent ended.
        if (!(error instanceof AccessDeniedError || error instanceof GoneError)) throw error;
        results[index] = undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(context.readConcurrency, records.length) }, worker));
  return results;
}
