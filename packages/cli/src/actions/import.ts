/**
 * `medledger import`: FHIR R4 Bundles from files and directories imported as records of a patient
 * by the client's `importBundle` (the web app's upload uses the same), one file after the other,
 * with a progress bar on a terminal and a summary at the end.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ImportBundleReturnType, ImportProgress } from '@medledger/client';
import { categories, InvalidInputError, importBundleTypes, type RefusedEntry } from '@medledger/core';
import type { Command } from 'commander';
import type { Address } from 'viem';
import { clientFor, globalOptions, parseAddress, parseInteger } from '../context.ts';
import { type ActionHandler, ReportedError } from '../options.ts';
import { print } from '../output.ts';

/** An entry left out, and where it was. */
export interface ImportRefusal extends RefusedEntry {
  file: string;
}

/** What `import` answers (with --json, on standard output): counts and reasons, never health data. */
export interface ImportSummary {
  patient: Address;
  files: string[];
  /** Entries in all the Bundles. */
  entries: number;
  /** Records this run added. */
  records: number;
  /** Records an earlier run had already added. */
  alreadyThere: number;
  refused: ImportRefusal[];
  /** Records of the Bundles now on the ledger (added or already there), per resource type. */
  byResourceType: Record<string, number>;
  /** The same, per category. */
  byCategory: Record<string, number>;
  seconds: number;
  /** Records added per second. */
  rate: number;
}

/** The files that `paths` name: each file as given, each directory's `*.json` files in name order. */
async function bundleFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const found = await stat(path).catch(() => undefined);
    if (!found) throw new InvalidInputError(`Cannot read ${path}: no such file or directory.`);
    if (!found.isDirectory()) {
      files.push(path);
      continue;
    }
    const names = (await readdir(path)).filter((name) => name.toLowerCase().endsWith('.json')).sort();
    if (!names.length) throw new InvalidInputError(`${path} holds no *.json file.`);
    files.push(...names.map((name) => join(path, name)));
  }
  return files;
}

/** The Bundle in `file`, checked to be one an import takes, before anything is written. */
async function readBundle(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InvalidInputError(`Cannot read ${file}.`);
  }
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch {
    throw new InvalidInputError(`${file} is not JSON.`);
  }
  const { resourceType, type } = (bundle ?? {}) as { resourceType?: unknown; type?: unknown };
  if (resourceType !== 'Bundle') {
    throw new InvalidInputError(
      `${file} is not a FHIR Bundle${typeof resourceType === 'string' ? ` (its resourceType is ${resourceType.slice(0, 64)})` : ''}; add a single resource with \`medledger record add\`.`,
      { reason: 'not_a_bundle' },
    );
  }
  if (typeof type !== 'string' || !importBundleTypes.includes(type)) {
    throw new InvalidInputError(
      `${file}: a Bundle of type ${typeof type === 'string' ? `"${type.slice(0, 32)}"` : '(none)'} cannot be imported; expected ${importBundleTypes.join(', ')}.`,
      { reason: 'bundle_type_not_importable' },
    );
  }
  return bundle;
}

export const importBundles: ActionHandler = async (paths: string[], options, command: Command) => {
  const started = performance.now();
  const global = globalOptions(command);
  const patient = parseAddress(options.patient, 'patient');
  const concurrency =
    options.concurrency === undefined ? undefined : parseInteger(options.concurrency, 'concurrency');
  if (concurrency === 0) throw new InvalidInputError('Invalid concurrency 0: give at least 1.');
  const files = await bundleFiles(paths);
  const bundles = [];
  for (const file of files) bundles.push({ file, bundle: await readBundle(file) });

  const client = await clientFor(command);
  const bar = process.stderr.isTTY ? progressBar(files.length) : undefined;
  const results: { file: string; result: ImportBundleReturnType }[] = [];
  try {
    for (const [number, { file, bundle }] of bundles.entries()) {
      bar?.start(file, number);
      const result = await client.importBundle({
        patient,
        bundle,
        ...(concurrency ? { concurrency } : {}),
        ...(bar ? { onProgress: bar.update } : {}),
      });
      results.push({ file, result });
    }
  } finally {
    bar?.clear();
  }

  const summary = summarise(patient, results, started);
  if (global.json) print(global, summary);
  else process.stderr.write(`${describeImport(summary)}\n`);
  if (summary.refused.length) {
    const denied = summary.refused.every((entry) => entry.kind === 'access_denied');
    throw new ReportedError(denied ? 3 : 2);
  }
};

function summarise(
  patient: Address,
  results: readonly { file: string; result: ImportBundleReturnType }[],
  started: number,
): ImportSummary {
  const byResourceType: Record<string, number> = {};
  const byCategory: Record<string, number> = {};
  for (const { result } of results) {
    for (const [type, count] of Object.entries(result.byResourceType))
      byResourceType[type] = (byResourceType[type] ?? 0) + count;
    for (const [category, count] of Object.entries(result.byCategory))
      byCategory[category] = (byCategory[category] ?? 0) + (count ?? 0);
  }
  const seconds = Math.round(performance.now() - started) / 1000;
  const records = results.reduce((sum, { result }) => sum + result.records, 0);
  return {
    patient,
    files: results.map(({ file }) => file),
    entries: results.reduce((sum, { result }) => sum + result.entries, 0),
    records,
    alreadyThere: results.reduce((sum, { result }) => sum + result.alreadyThere, 0),
    refused: results.flatMap(({ file, result }) => result.refused.map((entry) => ({ file, ...entry }))),
    byResourceType: Object.fromEntries(
      Object.entries(byResourceType).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)),
    ),
    byCategory: Object.fromEntries(
      categories.flatMap((category) => (byCategory[category] ? [[category, byCategory[category]]] : [])),
    ),
    seconds,
    rate: seconds > 0 ? Math.round((records / seconds) * 10) / 10 : 0,
  };
}

/** The human summary: counts, resource types and reasons; never health data. */
export function describeImport(summary: ImportSummary): string {
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const types = Object.entries(summary.byResourceType)
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
  const lines = [
    `imported ${plural(summary.files.length, 'file')} (${summary.entries} ${summary.entries === 1 ? 'entry' : 'entries'}) for patient ${summary.patient}`,
    `resources: ${types || 'none'}`,
    `records: ${summary.records} added, ${summary.alreadyThere} already there, ${summary.refused.length} refused`,
  ];
  if (summary.refused.length) {
    lines.push('refused:');
    for (const entry of summary.refused) {
      lines.push(
        `  ${entry.file} entry ${entry.index} (${entry.resourceType}): ${entry.reason}${entry.path && !entry.reason.includes(entry.path) ? ` [${entry.path}]` : ''}`,
      );
    }
  }
  lines.push(`took ${summary.seconds.toFixed(2)} s (${summary.rate.toFixed(1)} records added/s)`);
  return lines.join('\n');
}

/**
 * One line of the progress bar, at most `width` characters: the file, a bar, counts and the rate.
 *
 * @example
 * progressLine({ file: 'a.json', number: 0, files: 2, done: 5, total: 10, skipped: 1, seconds: 2 }, 80);
 * // '[1/2] a.json [##########----------]   5/10 (1 already there) 2.0/s'
 */
export function progressLine(
  state: ImportProgress & { file: string; number: number; files: number; seconds: number },
  width: number,
): string {
  const { done, total, skipped, seconds } = state;
  const counts = `${String(done).padStart(String(total).length)}/${total}`;
  const already = skipped ? ` (${skipped} already there)` : '';
  const rate = seconds > 0 ? ` ${((done - skipped) / seconds).toFixed(1)}/s` : '';
  const prefix = state.files > 1 ? `[${state.number + 1}/${state.files}] ` : '';
  const tail = ` ${counts}${already}${rate}`;
  const name = basename(state.file);
  const barWidth = Math.max(10, Math.min(30, width - prefix.length - tail.length - 24));
  const filled = total ? Math.round((done / total) * barWidth) : barWidth;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const room = Math.max(8, width - prefix.length - bar.length - tail.length - 2);
  const shown = name.length > room ? `${name.slice(0, room - 1)}…` : name;
  return `${prefix}${shown} ${bar}${tail}`.slice(0, Math.max(1, width - 1));
}

/** A progress bar redrawn in place on standard error (a terminal), at most ten times a second. */
function progressBar(files: number) {
  let file = '';
  let number = 0;
  let started = performance.now();
  let drawn = 0;
  const draw = (progress: ImportProgress) => {
    const width = process.stderr.columns || 80;
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`\r${progressLine({ ...progress, file, number, files, seconds }, width)}\x1b[K`);
  };
  return {
    start(name: string, index: number) {
      file = name;
      number = index;
      started = performance.now();
      drawn = 0;
    },
    update(progress: ImportProgress) {
      const now = performance.now();
      if (progress.done < progress.total && now - drawn < 100) return;
      drawn = now;
      draw(progress);
    },
    clear() {
      process.stderr.write('\r\x1b[K');
    },
  };
}
