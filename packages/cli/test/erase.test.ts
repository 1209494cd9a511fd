/**
 * Through the real CLI against a gateway process: a patient deletes (hides) a record and restores it,
 * erases one, lists its deleted and erased records, and erases its whole chart (which asks first: without
 * a terminal it needs --yes); an erased record cannot be read any more.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RecordAdded, RecordList } from '@medledger/client';
import { labObservation, newPeople, type Person, setUpHospital, writeJsonFile } from './helpers/people.ts';
import {
  type Cli,
  cleanUp,
  cliFor,
  type GatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

describe('erasing and deleting records through the CLI', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let work: string;
  let admin: Person;
  let patient: Person;

  before(async () => {
    gateway = await startGatewayProcess({ dataDir: await temporaryDirectory('erase-data') });
    work = await temporaryDirectory('erase-files');
    cli = cliFor(gateway.url);
    [admin, patient] = await newPeople(cli, work, ['admin', 'patient']);
    await setUpHospital(cli, { admin, doctors: [], patients: [patient] });
  });
  after(async () => {
    await gateway?.stop();
    await cleanUp();
  });

  async function ownRecord(value: number): Promise<string> {
    const file = await writeJsonFile(work, `lab-${value}.json`, labObservation(patient.address, value));
    const added = await cli.json<RecordAdded>(
      'record',
      'add',
      '--patient',
      patient.address,
      '--category',
      'lab',
      '--file',
      file,
      '--as',
      patient.keyFile,
    );
    return added.recordId;
  }

  const list = (...extra: string[]) =>
    cli.json<RecordList>('record', 'list', '--patient', patient.address, ...extra, '--as', patient.keyFile);

  test('delete hides, restore shows again, erase destroys; --include-deleted marks both', async () => {
    const [kept, erased] = [await ownRecord(4), await ownRecord(5)];
    await cli.json('record', 'delete', kept, '--retain-until', '2099-01-01', '--as', patient.keyFile);
    assert.ok(!(await list()).records.some((r) => r.recordId === kept));
    await cli.json('record', 'restore', kept, '--as', patient.keyFile);
    assert.ok((await list()).records.some((r) => r.recordId === kept));

    const erase = await cli.run('record', 'erase', erased, '--as', patient.keyFile);
    assert.equal(erase.code, 0, erase.stderr);
    assert.match(erase.stdout, /erased .* \(patient-request\)/);
    const get = await cli.run('record', 'get', erased, '--as', patient.keyFile);
    assert.equal(get.code, 1);
    assert.match(get.stderr, /erased/);
    await cli.json('record', 'delete', kept, '--as', patient.keyFile);
    const marked = await cli.run(
      'record',
      'list',
      '--patient',
      patient.address,
      '--include-deleted',
      '--as',
      patient.keyFile,
    );
    assert.match(marked.stdout, new RegExp(`${erased}.*ERASED on .* \\(patient-request\\)`));
    assert.match(marked.stdout, new RegExp(`${kept}.*DELETED by`));
    const verify = await cli.run('verify');
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, new RegExp(`ERASED ${erased} on .* \\(patient-request\\)`));
  });

  test('erase --all asks for confirmation (--yes without a terminal), then erases the whole chart', async () => {
    await ownRecord(6);
    const unconfirmed = await cli.run('--json', 'record', 'erase', '--all', '--as', patient.keyFile);
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.stderr, /confirmation_needed/);
    const { erased } = await cli.json<{ erased: string[] }>(
      'record',
      'erase',
      '--all',
      '--yes',
      '--as',
      patient.keyFile,
    );
    assert.ok(erased.length >= 1);
    assert.deepEqual((await list()).records, []);
    const refused = await cli.run(
      'record',
      'erase',
      '--reason',
      'moved',
      erased[0] as string,
      '--as',
      patient.keyFile,
    );
    assert.equal(refused.code, 2);
  });
});
