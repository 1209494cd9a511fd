/**
 * `medledger export`: every record of a patient that the caller may read, each read as `record get`
 * reads it (the client's `readRecord`), written as one FHIR R4 collection Bundle to a file of mode 0600.
 */
import { existsSync } from 'node:fs';
import { type GatewayClient, gatewayRecordAnchors, type RecordList } from '@medledger/client';
import { AccessDeniedError, ConflictError, categories, recordFhirId } from '@medledger/core';
import type { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { clientFor, globalOptions, parseAddress } from '../context.ts';
import { writeSecretFile } from '../keyFile.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

/** Records read at once: a few, so that a large export neither waits on each round trip nor floods the gateway. */
const concurrentReads = 4;

/** What `export` answers (with --json, on standard output): counts only, never health data. */
export interface ExportSummary {
  file: string;
  patient: Address;
  /** Records in the Bundle. */
  exported: number;
  /** Records in the Bundle, per category. */
  byCategory: Record<string, number>;
  /** Latest records of the patient that the caller may not read (not listed to it, or refused when read). */
  leftOut: number;
  /** Older versions left out: records superseded by another record listed. */
  superseded: number;
  seconds: number;
}

type ListedRecord = RecordList['records'][number];

/** A stable `urn:uuid:` for a record: the first 16 bytes of its id as an RFC 9562 version 8 UUID. */
export function recordUuid(recordId: Hex): string {
  const hex = recordId.slice(2, 34).toLowerCase().split('');
  hex[12] = '8';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const digits = hex.join('');
  return `urn:uuid:${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
}

/** The records no other record in `records` supersedes: the latest version of each. */
function latestOf<R extends { recordId: string; supersedes: string | null }>(records: readonly R[]): R[] {
  const superseded = new Set(
    records.flatMap((record) => (record.supersedes ? [record.supersedes.toLowerCase()] : [])),
  );
  return records.filter((record) => !superseded.has(record.recordId.toLowerCase()));
}

/**
 * A record's FHIR logical id, as `medledger import` gives it: the patient's address for its own
 * Patient resource, else the record id of the resource's first version (following `supersedes`
 * among the records listed) without `0x`.
 */
function fhirIdOf(record: ListedRecord, byId: ReadonlyMap<string, ListedRecord>, resource: unknown): string {
  if ((resource as { resourceType?: unknown }).resourceType === 'Patient')
    return record.patient.toLowerCase();
  let first = record;
  // Bounded: a list (from a gateway) that loops does not hang the export.
  for (let step = 0; step < byId.size && first.supersedes; step++) {
    const older = byId.get(first.supersedes.toLowerCase());
    if (!older) break;
    first = older;
  }
  return recordFhirId(first.recordId as Hex);
}

/** `resource` with `id` as its first element, so that every entry of the Bundle reads the same way. */
function withFhirId(resource: unknown, id: string): unknown {
  const { resourceType, id: _stored, ...rest } = resource as Record<string, unknown>;
  return { resourceType, id, ...rest };
}

/**
 * The latest anchored records of `patient` that are not in `listed`: those the caller may not see.
 * Anchors (patient, category, ids; never content) are public at every gateway, so counting them
 * tells the caller nothing it could not learn anyway.
 */
async function unlistedLatest(server: string, patient: Address, listed: readonly ListedRecord[]) {
  const zero = `0x${'0'.repeat(64)}`;
  const anchors = (await gatewayRecordAnchors(server, { patient }))
    .filter((anchor) => anchor.patient.toLowerCase() === patient.toLowerCase())
    .map((anchor) => ({
      recordId: anchor.recordId,
      supersedes: anchor.supersedes.toLowerCase() === zero ? null : anchor.supersedes,
    }));
  const seen = new Set(listed.map((record) => record.recordId.toLowerCase()));
  return latestOf(anchors).filter((anchor) => !seen.has(anchor.recordId.toLowerCase()));
}

/**
 * Reads `records` a few at a time, in order; a record the gateway refuses to release (its consent
 * ended since it was listed, or does not cover the purpose) is `undefined`. Any other failure (a
 * record that fails verification, a gateway that does not answer) fails the export.
 */
async function readAll(
  client: GatewayClient,
  records: readonly ListedRecord[],
  purpose: string,
): Promise<({ record: ListedRecord; resource: unknown } | undefined)[]> {
  const results: ({ record: ListedRecord; resource: unknown } | undefined)[] = new Array(records.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const index = next++;
      const record = records[index] as ListedRecord;
      try {
        const { resource } = await client.readRecord(record.recordId as Hex, purpose);
        results[index] = { record, resource };
      } catch (error) {
        if (!(error instanceof AccessDeniedError)) throw error;
        results[index] = undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrentReads, records.length) }, worker));
  return results;
}

export const exportRecords: ActionHandler = async (options, command: Command) => {
  const started = performance.now();
  const global = globalOptions(command);
  const patient = parseAddress(options.patient, 'patient');
  const out: string = options.out;
  const force = Boolean(options.force);
  const exists = () =>
    new ConflictError(`${out} already exists; refusing to overwrite it (use --force to replace it).`, {
      reason: 'export_exists',
    });
  // Checked first, so that no record is read (and audited) for a file that would be refused.
  if (!force && existsSync(out)) throw exists();

  const client = await clientFor(command);
  const { records } = await client.listRecords(patient);
  const ordered = [...records].sort(
    (a, b) => a.createdAt - b.createdAt || a.recordId.localeCompare(b.recordId),
  );
  const latest = latestOf(ordered);
  const [read, unlisted] = await Promise.all([
    readAll(client, latest, options.purpose),
    unlistedLatest(global.server, patient, records),
  ]);
  const byId = new Map(records.map((record) => [record.recordId.toLowerCase(), record]));
  const entries = read.flatMap((item) =>
    item
      ? [
          {
            fullUrl: recordUuid(item.record.recordId as Hex),
            resource: withFhirId(item.resource, fhirIdOf(item.record, byId, item.resource)),
          },
        ]
      : [],
  );
  const byCategory: Record<string, number> = {};
  for (const item of read) {
    if (item) byCategory[item.record.category] = (byCategory[item.record.category] ?? 0) + 1;
  }
  const bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: new Date().toISOString(),
    // FHIR JSON has no empty arrays: a Bundle without records has no `entry`.
    ...(entries.length ? { entry: entries } : {}),
  };
  try {
    await writeSecretFile(out, bundle, { overwrite: force, existsReason: 'export_exists' });
  } catch (error) {
    throw error instanceof ConflictError ? exists() : error;
  }

  const summary: ExportSummary = {
    file: out,
    patient,
    exported: entries.length,
    byCategory: Object.fromEntries(
      categories.flatMap((category) => {
        const count = byCategory[category];
        return count ? [[category, count] as const] : [];
      }),
    ),
    leftOut: unlisted.length + read.filter((item) => !item).length,
    superseded: ordered.length - latest.length,
    seconds: Math.round(performance.now() - started) / 1000,
  };
  if (global.json) {
    print(global, summary);
  } else {
    process.stderr.write(`${describeExport(summary)}\n`);
  }
};

/** The human summary: counts and time only. */
export function describeExport(summary: ExportSummary): string {
  const categoryCounts = Object.entries(summary.byCategory)
    .map(([category, count]) => `${category} ${count}`)
    .join(', ');
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const rate = summary.seconds > 0 ? ` (${(summary.exported / summary.seconds).toFixed(1)} records/s)` : '';
  return [
    `exported ${plural(summary.exported, 'record')} of patient ${summary.patient} to ${summary.file}` +
      (categoryCounts ? `: ${categoryCounts}` : ''),
    `left out: ${plural(summary.leftOut, 'record')} you may not read, ` +
      `${plural(summary.superseded, 'older version')} superseded by a newer one`,
    `took ${summary.seconds.toFixed(2)} s${rate}`,
  ].join('\n');
}
