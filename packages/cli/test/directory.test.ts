/**
 * Through the real CLI against a gateway process: the admin registers a doctor with a display name
 * (`member add --name --title --department`) and changes it (`member profile`); the patient's access
 * history, record list and consent list then show the doctor's name, not its address, which stays in --json.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditEvent } from '@medledger/client';
import { labObservation, newPeople, type Person, setUpHospital, writeJsonFile } from './helpers/people.ts';
import {
  type Cli,
  cleanUp,
  cliFor,
  type GatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

describe('names instead of addresses in the CLI', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let work: string;
  let admin: Person;
  let doctor: Person;
  let patient: Person;
  let organisation: string;

  before(async () => {
    const dataDir = await temporaryDirectory('directory-data');
    work = await temporaryDirectory('directory-files');
    gateway = await startGatewayProcess({ dataDir });
    cli = cliFor(gateway.url);
    [admin, doctor, patient] = await newPeople(cli, work, ['admin', 'doctor', 'patient']);
    organisation = String(await setUpHospital(cli, { admin, doctors: [], patients: [patient] }));
  });
  after(async () => {
    await gateway?.stop('SIGINT');
    await cleanUp();
  });

  test('member add --name registers the doctor with its profile; audit shows the name', async () => {
    const added = await cli.run(
      'member',
      'add',
      '--org',
      organisation,
      '--role',
      'doctor',
      '--address',
      doctor.address,
      '--encryption-key',
      doctor.encryptionKey,
      '--name',
      'Ana Silva',
      '--title',
      'Dr',
      '--department',
      'Cardiology',
      '--as',
      admin.keyFile,
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /\(Dr Ana Silva\) is now a doctor of organisation/);

    await cli.json(
      'consent',
      'grant',
      '--to',
      doctor.address,
      '--categories',
      'lab',
      '--actions',
      'read,append',
      '--expires',
      '1h',
      '--as',
      patient.keyFile,
    );
    const file = await writeJsonFile(work, 'potassium.json', labObservation(patient.address, 42));
    await cli.json(
      'record',
      'add',
      '--patient',
      patient.address,
      '--category',
      'lab',
      '--file',
      file,
      '--as',
      doctor.keyFile,
    );

    // The doctor lists the chart too: two events, the newest first.
    const listed = await cli.run('record', 'list', '--patient', patient.address, '--as', doctor.keyFile);
    assert.equal(listed.code, 0, listed.stderr);

    const label = 'Dr Ana Silva (doctor, St. Elsewhere Hospital)';
    const audit = await cli.run('audit', '--as', patient.keyFile);
    assert.equal(audit.code, 0, audit.stderr);
    assert.ok(audit.stdout.includes(label), audit.stdout);
    assert.ok(!audit.stdout.toLowerCase().includes(doctor.address.toLowerCase()), audit.stdout);
    // --json keeps the raw address.
    const json = await cli.json<{ events: AuditEvent[] }>('audit', '--as', patient.keyFile);
    assert.ok(json.events.some((e) => e.actor.toLowerCase() === doctor.address.toLowerCase()));
    // Every page by default; --limit the newest n, and out of range a refusal in words.
    assert.ok(json.events.length > 1, `events: ${json.events.length}`);
    assert.equal(audit.stdout.trim().split('\n').length, json.events.length);
    const newest = await cli.json<{ events: AuditEvent[] }>('audit', '--limit', '1', '--as', patient.keyFile);
    assert.deepEqual(newest.events, json.events.slice(0, 1));
    const tooMany = await cli.run('audit', '--limit', '201', '--as', patient.keyFile);
    assert.equal(tooMany.code, 2, tooMany.stderr);
    assert.match(tooMany.stderr, /--limit takes 1 to 200 events/);

    const records = await cli.run('record', 'list', '--patient', patient.address, '--as', patient.keyFile);
    assert.equal(records.code, 0, records.stderr);
    assert.match(records.stdout, new RegExp(`lab/normal {2}by ${label.replace(/[().]/g, '\\$&')} {2}`));
    const consents = await cli.run('consent', 'list', '--as', patient.keyFile);
    assert.ok(consents.stdout.includes(label), consents.stdout);
  });

  test('member profile changes the name; member list shows it', async () => {
    const changed = await cli.run(
      'member',
      'profile',
      doctor.address,
      '--name',
      'Ana Costa',
      '--title',
      'Dr',
      '--as',
      admin.keyFile,
    );
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /is now shown as Dr Ana Costa \(doctor, St\. Elsewhere Hospital\)$/m);
    const list = await cli.run('member', 'list', '--org', organisation, '--as', admin.keyFile);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(list.stdout.includes('Dr Ana Costa (doctor, St. Elsewhere Hospital)'), list.stdout);
    const refused = await cli.run(
      'member',
      'profile',
      doctor.address,
      '--name',
      'x'.repeat(81),
      '--as',
      admin.keyFile,
    );
    assert.notEqual(refused.code, 0);
  });
});
