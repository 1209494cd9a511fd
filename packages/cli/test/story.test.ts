/**
 * The seeds' story, end to end through the real CLI against a fresh embedded node: a hospital, two
 * doctors and two patients; consent, reading, denial, requests, revocation, expiry, invalid input,
 * verification (and its failure once a stored blob is altered) and the patient's audit trail.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type {
  AccessRequest,
  AuditEvent,
  Consent,
  Notification,
  RecordAdded,
  RecordMetadata,
} from '@medledger/client';
import type { Hex } from 'viem';
import { alterStoredBlob } from '../../server/test/helpers/blobs.ts';
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
  parseJsonOutput,
  sleep,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

describe('the seeds’ story through the CLI', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let work: string;
  let admin: Person;
  let doctor1: Person;
  let doctor2: Person;
  let patient: Person;
  let otherPatient: Person;
  const observation = () => labObservation(patient.address, 95);
  let observationFile: string;
  let added: RecordAdded;
  let grant1: number;

  before(async () => {
    const dataDir = await temporaryDirectory('story-data');
    work = await temporaryDirectory('story-files');
    gateway = await startGatewayProcess({ dataDir });
    cli = cliFor(gateway.url);
    [admin, doctor1, doctor2, patient, otherPatient] = await newPeople(cli, work, [
      'admin',
      'doctor1',
      'doctor2',
      'patient',
      'other-patient',
    ]);
    observationFile = await writeJsonFile(work, 'glucose.json', observation());
  });

  after(cleanUp);

  const getRecord = (reader: Person, recordId: Hex) =>
    cli.run('record', 'get', recordId, '--as', reader.keyFile);

  test('a hospital registers two doctors, and two patients register with it', async () => {
    const organisationId = await setUpHospital(cli, {
      admin,
      doctors: [doctor1, doctor2],
      patients: [patient, otherPatient],
    });
    const [{ organisations }, { records }] = await Promise.all([
      cli.json<{ organisations: { organisationId: number; kind: string; status: string }[] }>('org', 'list'),
      cli.json<{ records: RecordMetadata[] }>(
        'record',
        'list',
        '--as',
        patient.keyFile,
        '--patient',
        patient.address,
      ),
    ]);
    assert.deepEqual(
      organisations.map(({ organisationId, kind, status }) => ({ organisationId, kind, status })),
      [{ organisationId, kind: 'hospital', status: 'active' }],
    );
    assert.deepEqual(records, []);
  });

  test('the patient grants doctor 1 read and append on lab results for an hour', async () => {
    const before = Math.floor(Date.now() / 1000);
    const granted = await cli.json<{ grantId: number }>(
      'consent',
      'grant',
      '--as',
      patient.keyFile,
      '--to',
      doctor1.address,
      '--categories',
      'lab',
      '--actions',
      'read,append',
      '--expires',
      '1h',
    );
    grant1 = granted.grantId;
    const [{ given }, { received }] = await Promise.all([
      cli.json<{ given: Consent[] }>('consent', 'list', '--as', patient.keyFile),
      cli.json<{ received: Consent[] }>('consent', 'list', '--as', doctor1.keyFile),
    ]);
    const consent = given.find((c) => c.grantId === grant1);
    assert.ok(consent, `consent ${grant1} is not listed: ${JSON.stringify(given)}`);
    assert.equal(consent.grantee?.toLowerCase(), doctor1.address.toLowerCase());
    assert.deepEqual(consent.categories, ['lab']);
    assert.deepEqual([...consent.actions].sort(), ['append', 'read']);
    assert.equal(consent.status, 'active');
    assert.ok(consent.expiresAt >= before + 3600 && consent.expiresAt <= before + 3600 + 60);
    assert.deepEqual(
      received.map((c) => c.grantId),
      [grant1],
    );
  });

  test('doctor 1 adds a lab result and reads it back identical', async () => {
    added = await cli.json<RecordAdded>(
      'record',
      'add',
      '--as',
      doctor1.keyFile,
      '--patient',
      patient.address,
      '--category',
      'lab',
      '--file',
      observationFile,
    );
    assert.match(added.recordId, /^0x[0-9a-f]{64}$/);
    assert.match(added.cid, /^b[a-z2-7]+$/);

    const out = join(work, 'read-back.json');
    const [read, written] = await Promise.all([
      getRecord(doctor1, added.recordId),
      cli.json<{ record: RecordMetadata; file: string }>(
        'record',
        'get',
        added.recordId,
        '--as',
        doctor1.keyFile,
        '--out',
        out,
      ),
    ]);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(JSON.parse(read.stdout), observation());
    assert.equal(written.record.recordId, added.recordId);
    assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), observation());
  });

  test('doctor 2 and the other patient are denied (exit 3), and learn nothing of the record', async () => {
    const [byDoctor2, byOtherPatient] = await Promise.all([
      getRecord(doctor2, added.recordId),
      getRecord(otherPatient, added.recordId),
    ]);
    for (const denied of [byDoctor2, byOtherPatient]) {
      assert.equal(denied.code, 3, `${denied.stderr}${denied.stdout}`);
      assert.match(denied.stderr, /has not given you consent/);
      assert.doesNotMatch(denied.stdout, /Glucose|2345-7/);
    }
  });

  test('doctor 2 asks for access, the patient approves it for an hour, doctor 2 reads', async () => {
    const { requestId } = await cli.json<{ requestId: number }>(
      'access',
      'request',
      '--as',
      doctor2.keyFile,
      '--patient',
      patient.address,
      '--categories',
      'lab',
      '--reason',
      'second opinion on the glucose level',
    );
    const pending = await cli.json<{ incoming: AccessRequest[] }>('access', 'list', '--as', patient.keyFile);
    const request = pending.incoming.find((r) => r.requestId === requestId);
    assert.equal(request?.status, 'pending');
    assert.equal(request?.requester.toLowerCase(), doctor2.address.toLowerCase());
    assert.deepEqual(request?.categories, ['lab']);
    assert.equal(request?.reason, 'second opinion on the glucose level');

    const approved = await cli.json<{ grantId: number }>(
      'access',
      'approve',
      String(requestId),
      '--as',
      patient.keyFile,
      '--expires',
      '1h',
    );
    assert.ok(approved.grantId > grant1);
    const [{ outgoing }, read] = await Promise.all([
      cli.json<{ outgoing: AccessRequest[] }>('access', 'list', '--as', doctor2.keyFile),
      getRecord(doctor2, added.recordId),
    ]);
    assert.deepEqual(
      outgoing.map((r) => ({ requestId: r.requestId, status: r.status, grantId: r.grantId })),
      [{ requestId, status: 'approved', grantId: approved.grantId }],
    );
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(JSON.parse(read.stdout), observation());
  });

  test('a doctor without an append grant cannot add a record (exit 3)', async () => {
    const result = await cli.run(
      'record',
      'add',
      '--as',
      doctor2.keyFile,
      '--patient',
      patient.address,
      '--category',
      'lab',
      '--file',
      observationFile,
    );
    assert.equal(result.code, 3, `${result.stderr}${result.stdout}`);
    assert.match(result.stderr, /has not given you consent to add lab records/);
  });

  test('record list shows the record’s metadata to the patient and to doctor 1', async () => {
    const listAs = (reader: Person, ...json: string[]) =>
      cli.run(...json, 'record', 'list', '--as', reader.keyFile, '--patient', patient.address);
    const [asPatient, asDoctor1, human] = await Promise.all([
      listAs(patient, '--json').then((result) => parseJsonOutput<{ records: RecordMetadata[] }>(result)),
      listAs(doctor1, '--json').then((result) => parseJsonOutput<{ records: RecordMetadata[] }>(result)),
      listAs(patient),
    ]);
    for (const [reader, { records }] of [
      [patient, asPatient],
      [doctor1, asDoctor1],
    ] as const) {
      assert.equal(records.length, 1, `${reader.name} sees ${JSON.stringify(records)}`);
      const [record] = records as [RecordMetadata];
      assert.equal(record.recordId, added.recordId);
      assert.equal(record.patient.toLowerCase(), patient.address.toLowerCase());
      assert.equal(record.author.toLowerCase(), doctor1.address.toLowerCase());
      assert.equal(record.category, 'lab');
      assert.equal(record.sensitivity, 'normal');
      assert.equal(record.cid, added.cid);
      assert.equal(record.contentDigest, added.contentDigest);
      assert.equal(record.blockNumber, added.blockNumber);
    }
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`${added.recordId}\\s+lab/normal\\s+by ${doctor1.address}`, 'i'));
  });

  test('invalid input exits 2 and says what is wrong', async () => {
    const conditionFile = await writeJsonFile(work, 'condition.json', diabetesCondition(patient.address));
    const addAsDoctor1 = (...args: string[]) =>
      cli.run('record', 'add', '--as', doctor1.keyFile, '--patient', patient.address, ...args);
    const cases: [string, Promise<CliResult>, RegExp][] = [
      [
        'unknown category',
        addAsDoctor1('--category', 'bloodwork', '--file', observationFile),
        /Unknown category "bloodwork"/,
      ],
      [
        'bad address',
        cli.run(
          'consent',
          'grant',
          '--as',
          patient.keyFile,
          '--to',
          '0x1234',
          '--categories',
          'lab',
          '--actions',
          'read',
          '--expires',
          '1h',
        ),
        /Invalid --to "0x1234"/,
      ],
      [
        'missing file',
        addAsDoctor1('--category', 'lab', '--file', join(work, 'no-such-file.json')),
        /Cannot read .*no-such-file\.json/,
      ],
      [
        'a Condition as a lab result',
        addAsDoctor1('--category', 'lab', '--file', conditionFile),
        /Condition is not accepted for category lab/,
      ],
      [
        'unknown action',
        cli.run(
          'consent',
          'grant',
          '--as',
          patient.keyFile,
          '--to',
          doctor2.address,
          '--categories',
          'lab',
          '--actions',
          'read,delete',
          '--expires',
          '1h',
        ),
        /Unknown action "delete"/,
      ],
      [
        'bad duration',
        cli.run('access', 'approve', '1', '--as', patient.keyFile, '--expires', 'tomorrow'),
        /Invalid duration "tomorrow"/,
      ],
      [
        'missing key file',
        getRecord({ ...doctor1, keyFile: join(work, 'nobody.json') }, added.recordId),
        /Cannot read the key file/,
      ],
    ];
    const results = await Promise.all(cases.map(([, result]) => result));
    for (const [index, [what, , message]] of cases.entries()) {
      const result = results[index]!;
      assert.equal(result.code, 2, `${what}: exit ${result.code}\n${result.stderr}`);
      assert.match(result.stderr, message, what);
      assert.match(result.stderr, /^error: /, what);
    }

    const asJson = await cli.run(
      '--json',
      ...[
        'record',
        'add',
        '--as',
        doctor1.keyFile,
        '--patient',
        patient.address,
        '--category',
        'lab',
        '--file',
        conditionFile,
      ],
    );
    assert.equal(asJson.code, 2);
    const { error } = JSON.parse(asJson.stderr) as { error: { code: string; message: string } };
    assert.equal(error.code, 'invalid_input');
    assert.match(error.message, /not accepted for category lab/);

    const { records } = await cli.json<{ records: RecordMetadata[] }>(
      'record',
      'list',
      '--as',
      patient.keyFile,
      '--patient',
      patient.address,
    );
    assert.deepEqual(
      records.map((r) => r.recordId),
      [added.recordId],
    );
  });

  test('once the patient revokes the consent, doctor 1 is denied (exit 3)', async () => {
    await cli.json('consent', 'revoke', String(grant1), '--as', patient.keyFile);
    const [read, { given }] = await Promise.all([
      getRecord(doctor1, added.recordId),
      cli.json<{ given: Consent[] }>('consent', 'list', '--as', patient.keyFile),
    ]);
    assert.equal(read.code, 3, `${read.stderr}${read.stdout}`);
    assert.doesNotMatch(read.stdout, /Glucose/);
    assert.equal(given.find((c) => c.grantId === grant1)?.status, 'revoked');
  });

  test('an expired consent is denied (exit 3)', async () => {
    const { grantId } = await cli.json<{ grantId: number }>(
      'consent',
      'grant',
      '--as',
      patient.keyFile,
      '--to',
      doctor1.address,
      '--categories',
      'lab',
      '--actions',
      'read',
      '--expires',
      // Long enough for the grant, the listing and a read to finish on a loaded machine.
      '30s',
    );
    const [{ given }, whileValid] = await Promise.all([
      cli.json<{ given: Consent[] }>('consent', 'list', '--as', patient.keyFile),
      getRecord(doctor1, added.recordId),
    ]);
    const expiresAt = given.find((c) => c.grantId === grantId)?.expiresAt ?? 0;
    assert.ok(expiresAt > 0, `consent ${grantId} is not listed`);
    assert.equal(whileValid.code, 0, `read while the consent was valid: ${whileValid.stderr}`);

    await sleep(Math.max(0, expiresAt * 1000 - Date.now()) + 1000);
    const afterExpiry = await getRecord(doctor1, added.recordId);
    assert.equal(afterExpiry.code, 3, `${afterExpiry.stderr}${afterExpiry.stdout}`);
    const later = await cli.json<{ given: Consent[] }>('consent', 'list', '--as', patient.keyFile);
    assert.equal(later.given.find((c) => c.grantId === grantId)?.status, 'expired');
  });

  test('the patient’s audit lists who was allowed and who was denied', async () => {
    const [{ events }, human, others, snooping] = await Promise.all([
      cli.json<{ events: AuditEvent[] }>('audit', '--as', patient.keyFile),
      cli.run('audit', '--as', patient.keyFile),
      cli.json<{ events: AuditEvent[] }>('audit', '--as', otherPatient.keyFile),
      cli.run('audit', '--as', otherPatient.keyFile, '--patient', patient.address),
    ]);
    const has = (actor: Person, action: string, outcome: 'allowed' | 'denied') =>
      events.some(
        (e) =>
          e.actor.toLowerCase() === actor.address.toLowerCase() &&
          e.action === action &&
          e.outcome === outcome &&
          e.recordId === added.recordId &&
          e.patient?.toLowerCase() === patient.address.toLowerCase(),
      );
    assert.ok(has(doctor1, 'append', 'allowed'), 'doctor 1 adding the record');
    assert.ok(has(doctor1, 'read', 'allowed'), 'doctor 1 reading');
    assert.ok(has(doctor1, 'read', 'denied'), 'doctor 1 after revocation and expiry');
    assert.ok(has(doctor2, 'read', 'denied'), 'doctor 2 before the request');
    assert.ok(has(doctor2, 'read', 'allowed'), 'doctor 2 after the approval');
    assert.ok(has(otherPatient, 'read', 'denied'), 'the other patient');
    const doctor2Append = events.find(
      (e) => e.actor.toLowerCase() === doctor2.address.toLowerCase() && e.action === 'append',
    );
    assert.equal(doctor2Append?.outcome, 'denied');
    assert.ok(events.every((e) => e.patient?.toLowerCase() === patient.address.toLowerCase()));

    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /denied\s+read/);
    assert.match(human.stdout, /allowed\s+read/);

    assert.ok(others.events.every((e) => e.patient?.toLowerCase() === otherPatient.address.toLowerCase()));
    assert.equal(snooping.code, 3, snooping.stderr);
  });

  test('audit --refused lists only the refused attempts, with who and why; the patient was alerted of them', async () => {
    const [{ events }, human, { notifications }] = await Promise.all([
      cli.json<{ events: AuditEvent[] }>('audit', '--refused', '--as', patient.keyFile),
      cli.run('audit', '--refused', '--as', patient.keyFile),
      cli.json<{ notifications: Notification[] }>('notifications', '--as', patient.keyFile),
    ]);
    assert.ok(events.length > 0);
    assert.ok(events.every((e) => e.outcome === 'denied'));
    const refusal = (actor: Person) =>
      events.find(
        (e) => e.actor.toLowerCase() === actor.address.toLowerCase() && e.recordId === added.recordId,
      );
    assert.deepEqual([refusal(doctor2)?.action, refusal(doctor2)?.reason], ['read', 'no_consent']);
    assert.equal(refusal(otherPatient)?.reason, 'no_consent');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`refused read\\s+${doctor2.address}.*why: no_consent`, 'i'));
    assert.doesNotMatch(human.stdout, /allowed/);

    // One alert per requester (they were refused within the hour), naming the doctor's hospital.
    const alerts = notifications.filter((n) => n.kind === 'access-refused');
    const alertOf = (actor: Person) => alerts.filter((n) => n.data.requester === actor.address.toLowerCase());
    assert.equal(alertOf(doctor2).length, 1);
    assert.equal(alertOf(otherPatient).length, 1);
    assert.equal(alertOf(patient).length, 0);
    assert.deepEqual(
      [
        alertOf(doctor2)[0]?.data.reason,
        alertOf(doctor2)[0]?.data.attempts,
        typeof alertOf(doctor2)[0]?.data.organisationId,
      ],
      ['no_consent', 1, 'number'],
    );
    assert.equal(alertOf(otherPatient)[0]?.data.organisationId, null);
  });

  test('verify passes, then fails naming the record once one byte of its stored blob changes', async () => {
    const intact = await cli.run('--json', 'verify');
    assert.equal(intact.code, 0, intact.stderr);
    const report = JSON.parse(intact.stdout) as { ok: boolean; checkedRecords: number; problems: unknown[] };
    assert.deepEqual(
      { ok: report.ok, checkedRecords: report.checkedRecords, problems: report.problems },
      {
        ok: true,
        checkedRecords: 1,
        problems: [],
      },
    );

    const restore = await alterStoredBlob(join(gateway.dataDir, 'gateway.sqlite'), added.cid);

    const [tamperedJson, tamperedHuman, tamperedRead] = await Promise.all([
      cli.run('--json', 'verify'),
      cli.run('verify'),
      getRecord(patient, added.recordId),
    ]);
    assert.notEqual(tamperedJson.code, 0);
    const problems = (JSON.parse(tamperedJson.stdout) as { ok: boolean; problems: { recordId: string }[] })
      .problems;
    assert.deepEqual(
      problems.map((p) => p.recordId),
      [added.recordId],
    );
    assert.notEqual(tamperedHuman.code, 0);
    assert.match(tamperedHuman.stdout, new RegExp(`MISMATCH ${added.recordId}`));
    assert.notEqual(tamperedRead.code, 0, 'an altered record must not be served');
    assert.doesNotMatch(tamperedRead.stdout, /Glucose/);

    await restore();
    const restored = await cli.run('verify');
    assert.equal(restored.code, 0, `${restored.stderr}${restored.stdout}`);
  });
});
