/**
 * `medledger export` through the real CLI against a real gateway and its embedded anvil: a patient
 * with records of several categories (one of them amended by a newer version), a doctor with a
 * consent for lab results only, and a doctor without any consent.
 */
import assert from 'node:assert/strict';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RecordAdded } from '@medledger/client';
import { ConflictError, exitCodeOf } from '@medledger/core';
import type { Address } from 'viem';
import type { ExportSummary } from '../src/actions/export.ts';
import {
  diabetesCondition,
  labObservation,
  newPeople,
  type Person,
  setUpHospital,
  writeJsonFile,
} from './helpers/people.ts';
import {
  type Cli,
  type CliResult,
  cleanUp,
  cliFor,
  type GatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

interface Bundle {
  resourceType: unknown;
  type: unknown;
  timestamp: unknown;
  entry?: { fullUrl?: unknown; resource?: unknown }[];
}

function penicillinAllergy(patient: Address) {
  return {
    resourceType: 'AllergyIntolerance',
    // R4 invariant ait-1: a clinical status unless entered in error.
    clinicalStatus: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
      ],
    },
    type: 'allergy',
    category: ['medication'],
    criticality: 'high',
    code: { coding: [{ system: 'http://snomed.info/sct', code: '764146007', display: 'Penicillin' }] },
    patient: { reference: `Patient/${patient.toLowerCase()}` },
  };
}

/** The resources in a canonical order, to compare collections whatever their order. */
function sorted(resources: readonly unknown[]): unknown[] {
  return [...resources].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** A valid FHIR R4 collection Bundle; its resources without their ids, each its FHIR id (see `import`). */
function resourcesOfCollection(bundle: Bundle): unknown[] {
  assert.equal(bundle.resourceType, 'Bundle');
  assert.equal(bundle.type, 'collection');
  assert.equal(typeof bundle.timestamp, 'string');
  assert.ok(!Number.isNaN(Date.parse(bundle.timestamp as string)), `timestamp ${bundle.timestamp}`);
  const entries = bundle.entry ?? [];
  for (const entry of entries) {
    assert.match(
      String(entry.fullUrl),
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(typeof entry.resource, 'object');
    assert.ok(entry.resource);
  }
  assert.equal(new Set(entries.map((entry) => entry.fullUrl)).size, entries.length, 'fullUrls are unique');
  return entries.map((entry) => {
    const { id, ...resource } = entry.resource as { id?: unknown };
    assert.match(String(id), /^[0-9a-f]{64}$/, 'the id is the first version’s record id without 0x');
    return resource;
  });
}

/** The FHIR id of each resource of an exported Bundle, by its glucose value (lab results only). */
function glucoseIds(bundle: Bundle): Map<unknown, unknown> {
  return new Map(
    (bundle.entry ?? []).flatMap(({ resource }) => {
      const { id, valueQuantity } = resource as { id?: unknown; valueQuantity?: { value?: unknown } };
      return valueQuantity ? [[valueQuantity.value, id]] : [];
    }),
  );
}

function errorOf(result: CliResult): { code: string; reason?: string } {
  const line = result.stderr.trim().split('\n').at(-1) ?? '';
  return (JSON.parse(line) as { error: { code: string; reason?: string } }).error;
}

describe('medledger export', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let work: string;
  let admin: Person;
  let doctor: Person;
  let stranger: Person;
  let patient: Person;
  const resources: { lab: unknown[]; condition: unknown[]; allergy: unknown[] } = {
    lab: [],
    condition: [],
    allergy: [],
  };
  let firstGlucose: unknown;
  const recordIds: Record<string, string> = {};

  const addRecord = async (category: string, name: string, resource: unknown, supersedes?: string) =>
    cli.json<RecordAdded>(
      'record',
      'add',
      '--as',
      patient.keyFile,
      '--patient',
      patient.address,
      '--category',
      category,
      '--file',
      await writeJsonFile(work, name, resource),
      ...(supersedes ? ['--supersedes', supersedes] : []),
    );

  const exportAs = (person: Person, out: string, ...extra: string[]) =>
    cli.run('--json', 'export', '--as', person.keyFile, '--patient', patient.address, '--out', out, ...extra);

  before(async () => {
    const dataDir = await temporaryDirectory('export-data');
    work = await temporaryDirectory('export-files');
    gateway = await startGatewayProcess({ dataDir });
    cli = cliFor(gateway.url);
    [admin, doctor, stranger, patient] = await newPeople(cli, work, [
      'admin',
      'doctor',
      'stranger',
      'patient',
    ]);
    await setUpHospital(cli, { admin, doctors: [doctor, stranger], patients: [patient] });
    await cli.json(
      'consent',
      'grant',
      '--as',
      patient.keyFile,
      '--to',
      doctor.address,
      '--categories',
      'lab',
      '--actions',
      'read',
      '--expires',
      '1h',
    );
    // The patient keeps its own records: a glucose result amended once, a second lab result, a
    // condition and an allergy.
    firstGlucose = labObservation(patient.address, 95);
    const first = await addRecord('lab', 'glucose-1.json', firstGlucose);
    const amended = labObservation(patient.address, 97);
    await addRecord('lab', 'glucose-2.json', amended, first.recordId);
    const second = labObservation(patient.address, 130);
    recordIds.first = first.recordId;
    recordIds.second = (await addRecord('lab', 'glucose-3.json', second)).recordId;
    const condition = diabetesCondition(patient.address);
    await addRecord('condition', 'condition.json', condition);
    const allergy = penicillinAllergy(patient.address);
    await addRecord('allergy', 'allergy.json', allergy);
    resources.lab.push(amended, second);
    resources.condition.push(condition);
    resources.allergy.push(allergy);
  });

  after(cleanUp);

  test('--help describes every option and says superseded versions are left out', async () => {
    const result = await cli.run('export', '--help');
    assert.equal(result.code, 0, result.stderr);
    for (const option of ['--patient', '--out', '--force', '--purpose', '--as']) {
      assert.match(result.stdout, new RegExp(`${option} `), `--help lacks ${option}`);
    }
    assert.match(result.stdout.replace(/\s+/g, ' '), /superseded by another/);
  });

  test('the patient exports every latest record, deep-equal to what was added, in a 0600 collection Bundle', async () => {
    const out = join(work, 'patient-export.json');
    const result = await exportAs(patient, out);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as ExportSummary;
    assert.deepEqual(
      { ...summary, seconds: undefined },
      {
        file: out,
        patient: patient.address.toLowerCase(),
        exported: 4,
        byCategory: { condition: 1, allergy: 1, lab: 2 },
        leftOut: 0,
        superseded: 1,
        seconds: undefined,
      },
    );
    assert.ok(summary.seconds > 0);
    console.log(`# patient export: ${summary.exported} records in ${summary.seconds} s`);
    assert.equal((await stat(out)).mode & 0o777, 0o600);
    const bundle = JSON.parse(await readFile(out, 'utf8')) as Bundle;
    const exported = resourcesOfCollection(bundle);
    assert.deepEqual(
      sorted(exported),
      sorted([...resources.lab, ...resources.condition, ...resources.allergy]),
    );
    // A record's FHIR id is its first version's record id: the amended result keeps the first one's.
    assert.deepEqual(
      glucoseIds(bundle),
      new Map([
        [97, recordIds.first?.slice(2)],
        [130, recordIds.second?.slice(2)],
      ]),
    );
    assert.ok(
      !exported.some((resource) => JSON.stringify(resource) === JSON.stringify(firstGlucose)),
      'the superseded version is left out',
    );
    // Nothing but the Bundle is left in the directory: no temporary file.
    assert.deepEqual(
      (await readdir(work)).filter((name) => name.startsWith('patient-export')),
      ['patient-export.json'],
    );
  });

  test('without --json the summary on standard error holds counts, never health content', async () => {
    const out = join(work, 'patient-export-human.json');
    const result = await cli.run(
      'export',
      '--as',
      patient.keyFile,
      '--patient',
      patient.address,
      '--out',
      out,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /exported 4 records of patient 0x[0-9a-f]{40} to .*: condition 1, allergy 1, lab 2/,
    );
    assert.match(result.stderr, /left out: 0 records you may not read, 1 older version superseded/);
    assert.match(result.stderr, /took \d+\.\d{2} s/);
    for (const health of ['Glucose', 'Penicillin', 'Diabetes', 'mg/dL']) {
      assert.ok(!result.stderr.includes(health), `the summary shows ${health}`);
    }
  });

  test('a doctor with a consent for lab results exports only those; the rest is counted as left out', async () => {
    const out = join(work, 'doctor-export.json');
    const result = await exportAs(doctor, out);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as ExportSummary;
    assert.equal(summary.exported, 2);
    assert.deepEqual(summary.byCategory, { lab: 2 });
    assert.equal(summary.leftOut, 2, 'the condition and the allergy');
    assert.equal(summary.superseded, 1);
    assert.equal((await stat(out)).mode & 0o777, 0o600);
    const exported = resourcesOfCollection(JSON.parse(await readFile(out, 'utf8')) as Bundle);
    assert.deepEqual(sorted(exported), sorted(resources.lab));
  });

  test('an existing file is refused with export_exists and left unchanged; --force replaces it', async () => {
    const out = join(work, 'existing.json');
    await writeFile(out, 'keep me\n');
    await chmod(out, 0o644);
    const refused = await exportAs(patient, out);
    assert.equal(refused.code, exitCodeOf(new ConflictError('exists', { reason: 'export_exists' })));
    assert.deepEqual(errorOf(refused), {
      code: 'conflict',
      reason: 'export_exists',
      message: `${out} already exists; refusing to overwrite it (use --force to replace it).`,
    });
    assert.equal(refused.stdout, '');
    assert.equal(await readFile(out, 'utf8'), 'keep me\n');

    const forced = await exportAs(patient, out, '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((JSON.parse(forced.stdout) as ExportSummary).exported, 4);
    const exported = resourcesOfCollection(JSON.parse(await readFile(out, 'utf8')) as Bundle);
    assert.equal(exported.length, 4);
    assert.equal((await stat(out)).mode & 0o777, 0o600, 'the replacement is a new file of mode 0600');
    assert.deepEqual(
      (await readdir(work)).filter((name) => name.startsWith('existing')),
      ['existing.json'],
    );
  });

  test('a member without consent is refused (exit 3, no_consent), not given an empty Bundle that would read as “no records”', async () => {
    const out = join(work, 'stranger-export.json');
    const result = await exportAs(stranger, out);
    assert.equal(result.code, 3, result.stderr);
    assert.deepEqual(
      { code: errorOf(result).code, reason: errorOf(result).reason },
      { code: 'access_denied', reason: 'no_consent' },
    );
    assert.equal(result.stdout, '');
    assert.deepEqual(
      (await readdir(work)).filter((name) => name.startsWith('stranger-export')),
      [],
      'no file, not even a temporary one',
    );
  });
});
