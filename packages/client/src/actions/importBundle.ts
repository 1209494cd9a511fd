import {
  AccessDeniedError,
  type Category,
  ConflictError,
  categories,
  type ImportEntry,
  type PlannedRecord,
  planImport,
  RateLimitedError,
  type RefusedEntry,
} from '@medledger/core';
import { type Address, concat, type Hex, keccak256, toBytes } from 'viem';
import type { Transport } from '../transport.ts';
import { gatewayRecordAnchors } from '../verifyGatewayIndex.ts';
import { addRecord } from './addRecord.ts';

/** Records encrypted, signed and uploaded at once by default (see `ImportBundleParameters.concurrency`). */
export const defaultImportConcurrency = 16;

/** What the import secret signs: changing it changes every import's record ids. */
const importSecretMessage = 'medledger import record ids v1';

/** How often one record is tried again after the gateway answered `rate_limited`. */
const maxRateLimitRetries = 10;

export interface ImportProgress {
  /** Records of the plan dealt with: added, found already there, or denied. */
  done: number;
  /** Records in the plan (the Bundle's entries less those refused when planning). */
  total: number;
  /** Of `done`, the records already anchored (by an earlier run). */
  skipped: number;
}

export interface ImportBundleParameters {
  patient: Address;
  /** A FHIR R4 Bundle (`transaction`, `batch`, `collection`, `searchset` or `document`), parsed. */
  bundle: unknown;
  /** Called once the existing records are known, then after each record. */
  onProgress?: (progress: ImportProgress) => void;
  /** Records uploaded at once; `defaultImportConcurrency` by default. */
  concurrency?: number;
  /** Refuse the whole Bundle if any entry is refused when planning (see `planImport`). */
  atomic?: boolean;
  /** Each entry's record id; by default `importRecordIdFor(await importSecretOf(client), patient)`. */
  recordIdFor?: (entry: ImportEntry) => Hex;
}

/** One record of the import: what became of it. */
export interface ImportedRecord {
  /** Position of its entry in `Bundle.entry`. */
  index: number;
  recordId: Hex;
  /** Its FHIR logical id: the record id's hex without `0x`, or the patient's address for its Patient. */
  fhirId: string;
  resourceType: string;
  category: Category;
  /** `added` by this run, or `already_there` (anchored by an earlier run of the same import). */
  status: 'added' | 'already_there';
}

export interface ImportBundleReturnType {
  patient: Address;
  /** Entries in the Bundle. */
  entries: number;
  /** Records this run added. */
  records: number;
  /** Records an earlier run already anchored (found in the patient's anchors or refused as duplicates). */
  alreadyThere: number;
  /** Entries that did not become records, and why; in Bundle order. */
  refused: RefusedEntry[];
  /** Records of the Bundle now on the ledger (added or already there), per resource type. */
  byResourceType: Record<string, number>;
  /** The same, per category (in the vocabulary's order). */
  byCategory: Partial<Record<Category, number>>;
  seconds: number;
  /** Each record, in Bundle order. */
  imported: ImportedRecord[];
}

export type ImportBundleErrorType = Error;

/**
 * The secret that keeps an identity's import record ids unguessable: the keccak256 of its signature
 * of a fixed message (secp256k1 signatures by viem are deterministic, RFC 6979), so the same
 * identity finds the same ids each time, and no one else can compute them.
 *
 * @example
 * const secret = await importSecretOf(client);
 */
export function importSecretOf(client: Transport): Promise<Hex> {
  return client.cached('importSecret', async () =>
    keccak256(await client.account.signMessage({ message: importSecretMessage })),
  );
}

/**
 * The record ids of an import: `keccak256(secret ‖ patient ‖ utf8(sourceKey) ‖
 * keccak256(utf8(JSON.stringify(resource))))`, where `sourceKey` is what names the entry in its
 * Bundle (its `fullUrl`, else `Type/id`) and `resource` the entry's resource as the Bundle holds
 * it. The same Bundle imported again for the same patient by the same identity gets the same ids.
 *
 * @example
 * const recordIdFor = importRecordIdFor(await importSecretOf(client), patient);
 * const { records } = planImport(bundle, { patient, recordIdFor });
 */
export function importRecordIdFor(secret: Hex, patient: Address): (entry: ImportEntry) => Hex {
  const patientBytes = toBytes(patient.toLowerCase() as Hex);
  return (entry) =>
    keccak256(
      concat([
        toBytes(secret),
        patientBytes,
        toBytes(entry.sourceKey),
        toBytes(keccak256(toBytes(JSON.stringify(entry.resource)))),
      ]),
    );
}

/**
 * Imports a FHIR R4 Bundle as records of `patient`, one record per entry (see `planImport`):
 * plans it, asks the gateway which of its records are already anchored (the patient's public
 * anchors), and adds the others `concurrency` at a time, each encrypted, signed and anchored as
 * `addRecord` does. Entries refused when planning are reported, not added; with `atomic`, any of
 * them refuses the whole Bundle before anything is written.
 *
 * **Resumable.** Record ids are derived from the entries (`importRecordIdFor`), so an interrupted
 * import run again adds only what is missing, and a record that the ledger answers is already
 * anchored (`records_already_anchored`) counts as already there; those are checked against the
 * patient's anchors at the end, and added again if the ledger lost them (two uploads of the same
 * record refused together in one batch).
 *
 * **Order.** Each record is anchored on its own, so any order is consistent. A record is uploaded
 * only once every other record of the import that it refers to is anchored (but for reference
 * cycles): a crash leaves no record whose references within the Bundle point nowhere.
 *
 * A record the ledger denies (`AccessDeniedError`: the importer may not append to its category)
 * is reported in `refused` (kind `access_denied`); a `rate_limited` answer is waited out and the
 * record tried again. Any other failure stops the import (the records under way finish) and is
 * thrown; run it again to resume.
 *
 * @example
 * const summary = await importBundle(client, {
 *   patient,
 *   bundle: JSON.parse(await readFile('synthea.json', 'utf8')),
 *   onProgress: ({ done, total }) => console.error(`${done}/${total}`),
 * });
 * // { records: 343, alreadyThere: 0, refused: [], byResourceType: { Observation: 136, … }, … }
 */
export async function importBundle(
  client: Transport,
  parameters: ImportBundleParameters,
): Promise<ImportBundleReturnType> {
  const started = performance.now();
  const patient = parameters.patient.toLowerCase() as Address;
  const concurrency = Math.max(1, Math.floor(parameters.concurrency ?? defaultImportConcurrency));
  const recordIdFor = parameters.recordIdFor ?? importRecordIdFor(await importSecretOf(client), patient);
  const plan = planImport(parameters.bundle, {
    patient,
    recordIdFor,
    ...(parameters.atomic ? { atomic: true } : {}),
  });
  const entries = (parameters.bundle as { entry?: unknown[] }).entry?.length ?? 0;
  const refused = [...plan.refused];
  const status = new Map<number, ImportedRecord['status']>();

  const anchored = await anchoredRecordIds(client, patient);
  for (const record of plan.records)
    if (anchored.has(record.recordId)) status.set(record.index, 'already_there');
  const progress = { done: status.size, total: plan.records.length, skipped: status.size };
  parameters.onProgress?.({ ...progress });

  const settle = (record: PlannedRecord, outcome: Outcome) => {
    const before = status.get(record.index);
    if (before === undefined) progress.done += 1;
    if (before === 'already_there') progress.skipped -= 1;
    if (outcome === 'denied') {
      status.delete(record.index);
      refused.push({
        index: record.index,
        resourceType: record.resource.resourceType,
        kind: 'access_denied',
        reason: `the ledger denied it: you may not add ${record.category} records for this patient`,
      });
    } else {
      status.set(record.index, outcome);
      if (outcome === 'already_there') progress.skipped += 1;
    }
    parameters.onProgress?.({ ...progress });
  };
  const pending = plan.records.filter((record) => !status.has(record.index));
  const conflicts = await addInOrder(client, patient, pending, concurrency, settle);
  if (conflicts.length) {
    // Refused as duplicates: check that they are anchored indeed, else add them again.
    const now = await anchoredRecordIds(client, patient);
    const lost = conflicts.filter((record) => !now.has(record.recordId));
    await addInOrder(client, patient, lost, concurrency, settle);
  }

  refused.sort((a, b) => a.index - b.index);
  return summarise(patient, entries, plan.records, status, refused, started);
}

/** The ids of the records anchored for `patient` (public anchors: ids and categories, no content). */
async function anchoredRecordIds(client: Transport, patient: Address): Promise<Set<string>> {
  const anchors = await gatewayRecordAnchors(client.url, { patient });
  return new Set(anchors.map((anchor) => anchor.recordId.toLowerCase()));
}

type Outcome = 'added' | 'already_there' | 'denied';

/**
 * Adds `records`, at most `concurrency` at once, each after the records of `records` that it
 * refers to; resolves with the records the ledger refused as already anchored. On the first
 * failure other than a denial or a duplicate, starts no more and rejects once those under way end.
 */
async function addInOrder(
  client: Transport,
  patient: Address,
  records: readonly PlannedRecord[],
  concurrency: number,
  settled: (record: PlannedRecord, outcome: Outcome) => void,
): Promise<PlannedRecord[]> {
  const conflicts: PlannedRecord[] = [];
  let failure: { error: unknown } | undefined;
  const slots = semaphore(concurrency);
  const finished = new Map<number, Promise<void>>();
  for (const { record, after } of dependencyOrder(records)) {
    const task = async () => {
      await Promise.all(after.map((index) => finished.get(index)));
      const release = await slots.acquire();
      try {
        if (failure) return;
        const outcome = await addOne(client, patient, record);
        if (outcome === 'already_there') conflicts.push(record);
        settled(record, outcome);
      } catch (error) {
        failure ??= { error };
      } finally {
        release();
      }
    };
    finished.set(record.index, task());
  }
  await Promise.all(finished.values());
  if (failure) throw failure.error;
  return conflicts;
}

async function addOne(client: Transport, patient: Address, record: PlannedRecord): Promise<Outcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      await addRecord(client, {
        patient,
        category: record.category,
        resource: record.resource,
        recordId: record.recordId,
      });
      return 'added';
    } catch (error) {
      if (error instanceof ConflictError && error.reason === 'records_already_anchored')
        return 'already_there';
      if (error instanceof AccessDeniedError) return 'denied';
      if (error instanceof RateLimitedError && attempt < maxRateLimitRetries) {
        const seconds = Number(error.fields?.retryAfter ?? 1);
        await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(seconds, 1), 60) * 1000));
        continue;
      }
      throw error;
    }
  }
}

/**
 * `records` ordered so that each comes after the records it refers to (`after`: their indices);
 * a reference that would close a cycle is dropped.
 */
function dependencyOrder(records: readonly PlannedRecord[]): { record: PlannedRecord; after: number[] }[] {
  const byIndex = new Map(records.map((record) => [record.index, record]));
  const state = new Map<number, 'visiting' | 'done'>();
  const ordered: { record: PlannedRecord; after: number[] }[] = [];
  const visit = (record: PlannedRecord) => {
    state.set(record.index, 'visiting');
    const after: number[] = [];
    for (const index of record.references) {
      const target = byIndex.get(index);
      if (!target || state.get(index) === 'visiting') continue;
      if (!state.has(index)) visit(target);
      after.push(index);
    }
    state.set(record.index, 'done');
    ordered.push({ record, after });
  };
  for (const record of records) if (!state.has(record.index)) visit(record);
  return ordered;
}

/** At most `size` holders at once; the others wait in turn. */
function semaphore(size: number) {
  let free = size;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    async acquire(): Promise<() => void> {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      return release;
    },
  };
}

function summarise(
  patient: Address,
  entries: number,
  planned: readonly PlannedRecord[],
  status: ReadonlyMap<number, ImportedRecord['status']>,
  refused: RefusedEntry[],
  started: number,
): ImportBundleReturnType {
  const imported: ImportedRecord[] = planned.flatMap((record) => {
    const outcome = status.get(record.index);
    return outcome
      ? [
          {
            index: record.index,
            recordId: record.recordId,
            fhirId: String(record.resource.id),
            resourceType: record.resource.resourceType,
            category: record.category,
            status: outcome,
          },
        ]
      : [];
  });
  const byResourceType: Record<string, number> = {};
  const counts = new Map<Category, number>();
  for (const record of imported) {
    byResourceType[record.resourceType] = (byResourceType[record.resourceType] ?? 0) + 1;
    counts.set(record.category, (counts.get(record.category) ?? 0) + 1);
  }
  return {
    patient,
    entries,
    records: imported.filter((record) => record.status === 'added').length,
    alreadyThere: imported.filter((record) => record.status === 'already_there').length,
    refused,
    byResourceType: Object.fromEntries(Object.entries(byResourceType).sort(([a], [b]) => a.localeCompare(b))),
    byCategory: Object.fromEntries(categories.flatMap((c) => (counts.has(c) ? [[c, counts.get(c)]] : []))),
    seconds: Math.round(performance.now() - started) / 1000,
    imported,
  };
}
