/**
 * `medledger import` through the real CLI against a real gateway and its embedded anvil: Synthea
 * R4 bundles (../shared/data/synthea-r4, beside the repository) imported, imported again, killed
 * half-way and resumed; bundles with refused entries; a doctor without consent; and an export of
 * one patient imported into another.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gatewayRecordAnchors } from '@medledger/client';
import type { Address } from 'viem';
import { type ImportSummary, progressLine } from '../src/actions/import.ts';
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
  medledgerBin,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

const syntheaDirectory = new URL('../../../../shared/data/synthea-r4/', import.meta.url).pathname;

interface SyntheaBundle {
  entry: { fullUrl: string; resource: { resourceType: string } }[];
}

async function synthea(prefix: string): Promise<{ file: string; bundle: SyntheaBundle }> {
  const name = (await readdir(syntheaDirectory)).find((file) => file.startsWith(prefix));
  assert.ok(name, `no Synthea bundle ${prefix}*`);
  const file = join(syntheaDirectory, name);
  return { file, bundle: JSON.parse(await readFile(file, 'utf8')) as SyntheaBundle };
}

/** The entries of a Bundle per resource type: every one becomes a record. */
function expectedTypes(bundle: SyntheaBundle): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { resource } of bundle.entry)
    counts[resource.resourceType] = (counts[resource.resourceType] ?? 0) + 1;
  return counts;
}

const total = (counts: Record<string, number>) =>
  Object.values(counts).reduce((sum, count) => sum + count, 0);

function summaryOf(result: CliResult): ImportSummary {
  try {
    return JSON.parse(result.stdout) as ImportSummary;
  } catch {
    throw new Error(
      `medledger ${result.args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`,
    );
  }
}

async function anchoredCount(gateway: GatewayProcess, patient: Address): Promise<number> {
  return (await gatewayRecordAnchors(gateway.url, { patient })).length;
}

/** Resolves once `condition` holds (checked every 50 ms), or rejects after `timeoutMs`. */
async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('medledger import', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let work: string;
  let people: Record<'admin' | 'doctor' | 'alice' | 'bob' | 'carol' | 'dave', Person>;

  const importAs = (person: Person, patient: Person, ...paths: string[]) =>
    cli.run('--json', 'import', ...paths, '--patient', patient.address, '--as', person.keyFile);

  before(async () => {
    gateway = await startGatewayProcess({ dataDir: await temporaryDirectory('import-data') });
    cli = cliFor(gateway.url);
    work = await temporaryDirectory('import-files');
    const [admin, doctor, alice, bob, carol, dave] = await newPeople(cli, work, [
      'admin',
      'doctor',
      'alice',
      'bob',
      'carol',
      'dave',
    ]);
    people = { admin, doctor, alice, bob, carol, dave };
    await setUpHospital(cli, { admin, doctors: [doctor], patients: [alice, bob, carol, dave] });
  });

  after(cleanUp);

  test('--help describes the arguments and every option', async () => {
    const result = await cli.run('import', '--help');
    assert.equal(result.code, 0, result.stderr);
    for (const option of ['--patient', '--as', '--concurrency']) {
      assert.match(result.stdout, new RegExp(`${option} `), `--help lacks ${option}`);
    }
    assert.match(result.stdout, /paths\.\.\./);
    assert.match(result.stdout.replace(/\s+/g, ' '), /resumable/);
  });

  test('imports a Synthea bundle: one record per entry, counted per resource type, with FHIR ids and references rewritten', async () => {
    const { file, bundle } = await synthea('Liz_Conn');
    const { alice } = people;
    const result = await importAs(alice, alice, file);
    const summary = summaryOf(result);
    const types = expectedTypes(bundle);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(total(types), bundle.entry.length);
    assert.deepEqual(
      {
        ...summary,
        byResourceType: Object.fromEntries(Object.entries(summary.byResourceType).sort()),
        byCategory: undefined,
        seconds: undefined,
        rate: undefined,
      },
      {
        patient: alice.address.toLowerCase(),
        files: [file],
        entries: bundle.entry.length,
        records: total(types),
        alreadyThere: 0,
        refused: [],
        byResourceType: Object.fromEntries(Object.entries(types).sort()),
        byCategory: undefined,
        seconds: undefined,
        rate: undefined,
      },
    );
    assert.ok(summary.rate > 0);
    console.log(`# ${summary.records} records imported in ${summary.seconds} s (${summary.rate} records/s)`);
    assert.equal(await anchoredCount(gateway, alice.address), total(types));

    // Read back: an Encounter's FHIR id is its record id; an Observation refers to it and to the patient.
    const { records } = await cli.json<{ records: { recordId: string; category: string }[] }>(
      'record',
      'list',
      '--as',
      alice.keyFile,
      '--patient',
      alice.address,
    );
    const read = (recordId: string) =>
      cli.run('record', 'get', recordId, '--as', alice.keyFile).then((got) => {
        assert.equal(got.code, 0, got.stderr);
        return JSON.parse(got.stdout) as Record<string, unknown> & { id: string };
      });
    const vitals = await read(records.find((record) => record.category === 'vitals')!.recordId);
    assert.deepEqual(vitals.subject, { reference: `Patient/${alice.address.toLowerCase()}` });
    const encounterRef = (vitals.encounter as { reference: string }).reference;
    assert.match(encounterRef, /^Encounter\/[0-9a-f]{64}$/);
    const encounter = await read(`0x${encounterRef.slice('Encounter/'.length)}`);
    assert.equal(encounter.resourceType, 'Encounter');
    assert.equal(encounter.id, encounterRef.slice('Encounter/'.length));
    // The patient's demographics: the Synthea Patient, its id the patient's address.
    const demographics = await read(records.find((record) => record.category === 'demographics')!.recordId);
    assert.deepEqual([demographics.resourceType, demographics.id], ['Patient', alice.address.toLowerCase()]);
    assert.match(JSON.stringify(demographics.name), /Liz/);
  });

  test('imported again: nothing added, every record already there', async () => {
    const { file, bundle } = await synthea('Liz_Conn');
    const { alice } = people;
    const summary = summaryOf(await importAs(alice, alice, file));
    const types = expectedTypes(bundle);
    assert.deepEqual([summary.records, summary.alreadyThere], [0, total(types)]);
    assert.deepEqual(
      Object.fromEntries(Object.entries(summary.byResourceType).sort()),
      Object.fromEntries(Object.entries(types).sort()),
    );
    assert.equal(await anchoredCount(gateway, alice.address), total(types));
  });

  test('killed half-way and run again: only what is missing is added, nothing twice', async () => {
    const { file, bundle } = await synthea('Dirk_Kuhlman');
    const { bob } = people;
    const expected = total(expectedTypes(bundle));
    const child = spawn(
      process.execPath,
      [
        medledgerBin,
        '--server',
        gateway.url,
        'import',
        file,
        '--patient',
        bob.address,
        '--as',
        bob.keyFile,
        '--concurrency',
        '4',
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let ended = false;
    void exited.then(() => {
      ended = true;
    });
    await waitFor(
      async () => ended || (await anchoredCount(gateway, bob.address)) >= 20,
      'the first records of the import',
    );
    child.kill('SIGKILL');
    assert.deepEqual(await exited, { code: null, signal: 'SIGKILL' }, 'killed before it finished');
    const before = await anchoredCount(gateway, bob.address);
    assert.ok(before >= 20 && before < expected, `${before} of ${expected} records anchored when killed`);

    const summary = summaryOf(await importAs(bob, bob, file));
    assert.equal(summary.records + summary.alreadyThere, expected);
    assert.ok(summary.alreadyThere >= before, `${summary.alreadyThere} already there, ${before} anchored`);
    assert.ok(summary.records > 0);
    const anchors = await gatewayRecordAnchors(gateway.url, { patient: bob.address });
    assert.equal(anchors.length, expected, 'every record once: no duplicate, none missing');
    console.log(`# killed after ${before} records; the second run added ${summary.records}`);
  });

  test('refused entries are reported with file, entry, type and reason, the others imported, and the exit code is 2', async () => {
    const { carol } = people;
    const directory = join(work, 'mixed');
    await mkdir(directory);
    const patientRef = `Patient/${carol.address.toLowerCase()}`;
    await writeJsonFile(directory, 'a-good.json', {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: labObservation(carol.address, 101) }],
    });
    const bad = await writeJsonFile(directory, 'b-bad.json', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: diabetesCondition(carol.address), request: { method: 'POST', url: 'Condition' } },
        {
          resource: { resourceType: 'Observation', status: 'final', subject: { reference: patientRef } },
          request: { method: 'POST', url: 'Observation' },
        },
        { request: { method: 'DELETE', url: 'Observation/1' } },
      ],
    });
    await writeJsonFile(directory, 'notes.txt', 'not a bundle, not read');
    const result = await importAs(carol, carol, directory);
    assert.equal(result.code, 2, result.stderr);
    const summary = summaryOf(result);
    assert.deepEqual(
      [summary.files.length, summary.entries, summary.records, summary.alreadyThere],
      [2, 4, 2, 0],
    );
    assert.deepEqual(summary.byResourceType, { Condition: 1, Observation: 1 });
    assert.deepEqual(
      summary.refused.map(({ file, index, resourceType, kind, path }) => ({
        file,
        index,
        resourceType,
        kind,
        path,
      })),
      [
        {
          file: bad,
          index: 1,
          resourceType: 'Observation',
          kind: 'invalid_resource',
          path: 'Observation.code',
        },
        { file: bad, index: 2, resourceType: 'Observation', kind: 'unsupported_method', path: undefined },
      ],
    );
    assert.match(summary.refused[0]!.reason, /Observation\.code/);
    assert.match(summary.refused[1]!.reason, /DELETE is not supported/);

    // The same without --json: a summary on standard error, with types and reasons, never health data.
    const human = await cli.run('import', bad, '--patient', carol.address, '--as', carol.keyFile);
    assert.equal(human.code, 2);
    assert.equal(human.stdout, '');
    assert.match(human.stderr, /records: 0 added, 1 already there, 2 refused/);
    assert.match(human.stderr, /resources: Condition 1/);
    assert.match(human.stderr, new RegExp(`${bad} entry 1 \\(Observation\\): .*Observation\\.code`));
    assert.match(human.stderr, /took \d+\.\d\d s \(\d+\.\d records added\/s\)/);
    assert.ok(!human.stderr.includes('Diabetes'), 'no health data in the summary');
  });

  test('a file that is not a Bundle is refused before anything is imported', async () => {
    const { carol } = people;
    const resource = await writeJsonFile(work, 'observation.json', labObservation(carol.address, 88));
    const good = await writeJsonFile(work, 'good-bundle.json', {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: labObservation(carol.address, 77) }],
    });
    const before = await anchoredCount(gateway, carol.address);
    const result = await importAs(carol, carol, good, resource);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /observation\.json is not a FHIR Bundle \(its resourceType is Observation\)/);
    assert.equal(await anchoredCount(gateway, carol.address), before);
  });

  test('a doctor without consent: every entry refused as access_denied, exit code 3', async () => {
    const { doctor, dave } = people;
    const bundle = await writeJsonFile(work, 'doctor-bundle.json', {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: labObservation(dave.address, 120) }],
    });
    const result = await importAs(doctor, dave, bundle);
    assert.equal(result.code, 3, result.stderr);
    const summary = summaryOf(result);
    assert.equal(summary.records, 0);
    assert.deepEqual(
      summary.refused.map(({ kind, resourceType }) => [kind, resourceType]),
      [['access_denied', 'Observation']],
    );
  });

  test('an export of one patient imported into another keeps every resource and its references', async () => {
    const { alice, dave } = people;
    const out = join(work, 'alice-export.json');
    const exported = await cli.run(
      '--json',
      'export',
      '--patient',
      alice.address,
      '--as',
      alice.keyFile,
      '--out',
      out,
    );
    assert.equal(exported.code, 0, exported.stderr);
    const summary = summaryOf(await importAs(dave, dave, out));
    assert.deepEqual(summary.refused, []);
    const again = join(work, 'dave-export.json');
    const second = await cli.run(
      '--json',
      'export',
      '--patient',
      dave.address,
      '--as',
      dave.keyFile,
      '--out',
      again,
    );
    assert.equal(second.code, 0, second.stderr);
    // Ids and the references that name them differ; the rest is the same, resource for resource.
    const normalise = async (path: string, patient: Address) => {
      const { entry } = JSON.parse(await readFile(path, 'utf8')) as { entry: { resource: { id: string } }[] };
      const ids = new Set(entry.map(({ resource }) => resource.id));
      return entry
        .map(({ resource }) =>
          JSON.stringify({ ...resource, id: undefined }, (key, value) =>
            key === 'reference' && typeof value === 'string'
              ? value === `Patient/${patient.toLowerCase()}`
                ? 'Patient/the-patient'
                : ids.has(value.slice(value.indexOf('/') + 1))
                  ? `${value.slice(0, value.indexOf('/'))}/in-bundle`
                  : value
              : value,
          ),
        )
        .sort();
    };
    const [original, copy] = await Promise.all([
      normalise(out, alice.address),
      normalise(again, dave.address),
    ]);
    assert.equal(copy.length, original.length);
    assert.deepEqual(copy, original);
    assert.ok(original.some((resource) => resource.includes('"Encounter/in-bundle"')));
  });

  test('record add refuses a Bundle with one error that points at medledger import', async () => {
    const { carol } = people;
    const { file } = await synthea('Liz_Conn');
    const result = await cli.run(
      '--json',
      'record',
      'add',
      '--as',
      carol.keyFile,
      '--patient',
      carol.address,
      '--category',
      'lab',
      '--file',
      file,
    );
    assert.equal(result.code, 2);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    const { error } = JSON.parse(lines[0]!) as { error: { reason: string; message: string } };
    assert.equal(error.reason, 'bundle_needs_import');
    assert.match(
      error.message,
      /is a FHIR Bundle \(transaction\) of \d+ entries: import it with `medledger import/,
    );
  });

  test('the progress line fits the terminal and shows counts and rate', () => {
    const state = {
      file: '/data/Liz_Conn.json',
      number: 1,
      files: 3,
      done: 40,
      total: 80,
      skipped: 10,
      seconds: 3,
    };
    const line = progressLine(state, 100);
    assert.ok(line.length < 100, line);
    assert.match(line, /^\[2\/3\] Liz_Conn\.json \[#+-+\] 40\/80 \(10 already there\) 10\.0\/s$/);
    assert.ok(progressLine(state, 40).length < 40);
    assert.match(progressLine({ ...state, files: 1, done: 80 }, 80), /^Liz_Conn\.json \[#+\] 80\/80/);
  });
});
