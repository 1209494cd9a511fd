/**
 * `medledger delegate` through the real CLI against a real gateway: a patient registers a caregiver
 * from its invitation (the address and encryption key `medledger key new` printed), grants it lab
 * results, and the caregiver signs in with its key file and reads them with `record list` / `record
 * get` and through `medledger fhir serve`, and nothing else; a grant to a stranger says who can be
 * granted what; after the removal the caregiver reads nothing.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { Hex } from 'viem';
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
  cleanUp,
  cliFor,
  type GatewayProcess,
  medledgerBin,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

describe('medledger delegate', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let work: string;
  let patient: Person;
  let caregiver: Person;
  let stranger: Person;
  const recordIds: { lab?: Hex; condition?: Hex } = {};
  const children: ChildProcessWithoutNullStreams[] = [];

  before(async () => {
    gateway = await startGatewayProcess({ dataDir: await temporaryDirectory('delegates-data') });
    cli = cliFor(gateway.url);
    work = await temporaryDirectory('delegates-files');
    let admin: Person;
    [admin, patient, caregiver, stranger] = await newPeople(cli, work, [
      'admin',
      'patient',
      'caregiver',
      'stranger',
    ]);
    await setUpHospital(cli, { admin, doctors: [], patients: [patient] });
    const add = async (category: string, name: string, resource: unknown) =>
      (
        await cli.json<{ recordId: Hex }>(
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
        )
      ).recordId;
    recordIds.lab = await add('lab', 'glucose.json', labObservation(patient.address, 95));
    recordIds.condition = await add('condition', 'condition.json', diabetesCondition(patient.address));
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await gateway?.stop();
    await cleanUp();
  });

  test('--help of each delegate command describes its options', async () => {
    const expected: Record<string, string[]> = {
      add: ['--kind', '--encryption-key', '--categories', '--as'],
      list: ['--patient', '--as'],
      remove: ['--as'],
    };
    for (const [command, options] of Object.entries(expected)) {
      const result = await cli.run('delegate', command, '--help');
      assert.equal(result.code, 0, result.stderr);
      for (const option of options)
        assert.match(result.stdout, new RegExp(`${option} `), `${command} lacks ${option}`);
    }
    assert.match((await cli.run('delegate', 'add', '--help')).stdout, /family, caregiver, researcher/);
  });

  test('a patient registers a caregiver, who reads the lab results granted to it and nothing else', async () => {
    const added = await cli.run(
      'delegate',
      'add',
      caregiver.address,
      '--as',
      patient.keyFile,
      '--kind',
      'caregiver',
      '--encryption-key',
      caregiver.encryptionKey,
      '--categories',
      'lab,condition',
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /delegate 0x[0-9a-f]{40} added \(caregiver\)/);
    const listed = await cli.json<{ delegates: { delegate: string; kind: string; active: boolean }[] }>(
      'delegate',
      'list',
      '--as',
      patient.keyFile,
    );
    assert.deepEqual(
      listed.delegates.map((d) => [d.delegate, d.kind, d.active]),
      [[caregiver.address.toLowerCase(), 'caregiver', true]],
    );
    const own = await cli.json<{ delegates: { patient: string }[] }>(
      'delegate',
      'list',
      '--as',
      caregiver.keyFile,
    );
    assert.deepEqual(
      own.delegates.map((d) => d.patient),
      [patient.address.toLowerCase()],
    );

    await cli.json(
      'consent',
      'grant',
      '--as',
      patient.keyFile,
      '--to',
      caregiver.address,
      '--categories',
      'lab',
      '--actions',
      'read',
      '--expires',
      '1h',
    );
    const records = await cli.json<{ records: { recordId: Hex }[] }>(
      'record',
      'list',
      '--as',
      caregiver.keyFile,
      '--patient',
      patient.address,
    );
    assert.deepEqual(
      records.records.map((r) => r.recordId),
      [recordIds.lab],
    );
    const read = await cli.run('record', 'get', recordIds.lab as Hex, '--as', caregiver.keyFile);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(JSON.parse(read.stdout), labObservation(patient.address, 95));
    const refused = await cli.run('record', 'get', recordIds.condition as Hex, '--as', caregiver.keyFile);
    assert.equal(refused.code, 3, 'access denied');
    assert.match(refused.stderr, /has not given you consent to see this/);
  });

  test('a caregiver’s session serves FHIR through `medledger fhir serve`, with what it was granted only', async () => {
    const child = spawn(
      process.execPath,
      [
        medledgerBin,
        '--server',
        gateway.url,
        '--json',
        'fhir',
        'serve',
        '--as',
        caregiver.keyFile,
        '--port',
        '0',
      ],
      { env: { ...process.env, MEDLEDGER_SERVER: '' } },
    );
    children.push(child);
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`fhir serve exited ${code}`)));
    });
    const { baseUrl } = JSON.parse(stdout) as { baseUrl: string };
    const search = async (type: string) =>
      (await (await fetch(`${baseUrl}/${type}?patient=Patient/${patient.address.toLowerCase()}`)).json()) as {
        total: number;
        entry?: { resource: { valueQuantity?: { value: number } } }[];
      };
    const observations = await search('Observation');
    assert.equal(observations.total, 1);
    assert.equal(observations.entry?.[0]?.resource.valueQuantity?.value, 95);
    assert.equal((await search('Condition')).total, 0);
    child.kill('SIGTERM');
    await once(child, 'exit');
  });

  test('a grant to a stranger says who can be granted what; after the removal the caregiver reads nothing', async () => {
    const toStranger = await cli.run(
      'consent',
      'grant',
      '--as',
      patient.keyFile,
      '--to',
      stranger.address,
      '--categories',
      'lab',
      '--actions',
      'read',
      '--expires',
      '1h',
    );
    assert.equal(toStranger.code, 2, 'invalid input');
    // One line of plain words, what happened and what to do: not the contract's error name or reason.
    const short = `${stranger.address.slice(0, 6)}…${stranger.address.slice(-4)}`;
    assert.equal(
      toStranger.stderr,
      `error: ${short} is neither an active member of an organisation nor a registered family member, ` +
        'caregiver or researcher of this patient, so it cannot be given access. Register it as a delegate ' +
        'first (Settings → Family, caregivers and researchers).\n',
    );

    const removed = await cli.run('delegate', 'remove', caregiver.address, '--as', patient.keyFile);
    assert.equal(removed.code, 0, removed.stderr);
    const refused = await cli.run('record', 'get', recordIds.lab as Hex, '--as', caregiver.keyFile);
    assert.equal(refused.code, 3, 'access denied after the removal');
  });
});
