/**
 * The record actions through the real CLI against a gateway process and its chain: a doctor copies a
 * lab result for another organisation as a referral (its doctor reads the copy), duplicates it, and
 * moves a result filed in the wrong chart to the right patient; each command says who may run it, a
 * move to the same patient is refused, and `medledger audit` shows the patient every action.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { labObservation, newPeople, type Person, setUpHospital, writeJsonFile } from './helpers/people.ts';
import {
  type Cli,
  cleanUp,
  cliFor,
  type GatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

interface Derived {
  kind: string;
  sourceId: string;
  recordId: string;
  patient: string;
  toOrganisation: number;
}

describe('record copy, duplicate and move through the CLI', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let work: string;
  let doctor: Person;
  let patient: Person;
  let otherPatient: Person;
  let clinicDoctor: Person;
  let clinic = 0;

  before(async () => {
    const dataDir = await temporaryDirectory('record-actions-data');
    work = await temporaryDirectory('record-actions-files');
    gateway = await startGatewayProcess({ dataDir });
    cli = cliFor(gateway.url);
    let admin: Person;
    let clinicAdmin: Person;
    [admin, doctor, patient, otherPatient, clinicAdmin, clinicDoctor] = await newPeople(cli, work, [
      'admin',
      'doctor',
      'patient',
      'other-patient',
      'clinic-admin',
      'clinic-doctor',
    ]);
    await setUpHospital(cli, { admin, doctors: [doctor], patients: [patient, otherPatient] });
    const created = await cli.json<{ organisationId: number; status: string }>(
      'org',
      'create',
      '--name',
      'Riverside Clinic',
      '--kind',
      'hospital',
      '--as',
      clinicAdmin.keyFile,
    );
    clinic = created.organisationId;
    if (created.status !== 'active') await cli.json('org', 'approve', String(clinic), '--as', admin.keyFile);
    await cli.json(
      'member',
      'add',
      '--org',
      String(clinic),
      '--role',
      'doctor',
      '--address',
      clinicDoctor.address,
      '--encryption-key',
      clinicDoctor.encryptionKey,
      '--as',
      clinicAdmin.keyFile,
    );
    for (const [who, actions] of [
      [patient, 'read,append,share'],
      [otherPatient, 'read,append'],
    ] as const) {
      await cli.json(
        'consent',
        'grant',
        '--to',
        doctor.address,
        '--categories',
        'lab',
        '--actions',
        actions,
        '--expires',
        '1h',
        '--as',
        who.keyFile,
      );
    }
  });

  after(async () => {
    await gateway?.stop('SIGINT');
    await cleanUp();
  });

  async function addLabResult(value: number): Promise<string> {
    const file = await writeJsonFile(work, `lab-${value}.json`, labObservation(patient.address, value));
    const added = await cli.json<{ recordId: string }>(
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
    return added.recordId;
  }

  test('each command says what it does and who may run it', async () => {
    for (const [command, pattern] of [
      ['copy', /Who may: the patient, or a holder of a consent with the share action/],
      ['duplicate', /Who may: the patient, or anyone who may read the record/],
      ['move', /Who may: the record’s author, or an admin of its organisation/],
    ] as const) {
      const help = await cli.run('record', command, '--help');
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout.replace(/\s+/g, ' '), pattern);
      assert.match(help.stdout, /--as <keyfile>/);
    }
  });

  test('copy for another organisation as a referral: its doctor reads the copy, which names its source', async () => {
    const source = await addLabResult(101);
    const copied = await cli.json<Derived>(
      'record',
      'copy',
      source,
      '--to-organisation',
      String(clinic),
      '--referral',
      '--as',
      doctor.keyFile,
    );
    assert.deepEqual(
      { kind: copied.kind, sourceId: copied.sourceId, patient: copied.patient, to: copied.toOrganisation },
      { kind: 'copy', sourceId: source, patient: patient.address.toLowerCase(), to: clinic },
    );
    const read = await cli.run('record', 'get', copied.recordId, '--as', clinicDoctor.keyFile);
    assert.equal(read.code, 0, read.stderr);
    const resource = JSON.parse(read.stdout) as { valueQuantity: { value: number }; extension: unknown[] };
    assert.equal(resource.valueQuantity.value, 101);
    assert.match(JSON.stringify(resource.extension), /"valueCode":"referral"/);
    assert.match(JSON.stringify(resource.extension), new RegExp(source));
    const source403 = await cli.run('record', 'get', source, '--as', clinicDoctor.keyFile);
    assert.equal(source403.code, 3, 'the clinic reads the copy, not the source');
  });

  test('duplicate, then move a result filed in the wrong chart; a move to the same patient is refused', async () => {
    const source = await addLabResult(102);
    const duplicate = await cli.run('record', 'duplicate', source, '--as', doctor.keyFile);
    assert.equal(duplicate.code, 0, duplicate.stderr);
    assert.match(duplicate.stdout, new RegExp(`duplicated record ${source} as 0x[0-9a-f]{64}`));

    const same = await cli.run(
      '--json',
      'record',
      'move',
      source,
      '--to-patient',
      patient.address,
      '--as',
      doctor.keyFile,
    );
    assert.equal(same.code, 2, same.stderr);
    assert.equal(
      JSON.parse(same.stderr.trim().split('\n').at(-1) ?? '{}').error.reason,
      'derivation_same_patient',
    );

    const moved = await cli.run(
      'record',
      'move',
      source,
      '--to-patient',
      otherPatient.address,
      '--as',
      doctor.keyFile,
    );
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /the record in the wrong chart is erased/);
    const rightChart = await cli.json<{ records: { recordId: string }[] }>(
      'record',
      'list',
      '--patient',
      otherPatient.address,
      '--as',
      otherPatient.keyFile,
    );
    assert.equal(rightChart.records.length, 1);
  });

  test('medledger verify checks the records the actions anchored through RecordActions (no problem)', async () => {
    const verified = await cli.json<{ ok: boolean; checkedRecords: number; problems: unknown[] }>('verify');
    assert.deepEqual(verified.problems, []);
    assert.equal(verified.ok, true);
    // Two sources, their copy, duplicate and moved record; the moved source is erased, not checked.
    assert.ok(verified.checkedRecords >= 4, `checked ${verified.checkedRecords}`);
  });

  test('medledger audit shows the patient each action', async () => {
    const history = await cli.run('audit', '--patient', patient.address, '--as', patient.keyFile);
    assert.equal(history.code, 0, history.stderr);
    for (const action of ['record-copy', 'record-duplicate', 'record-move']) {
      assert.match(history.stdout, new RegExp(`allowed\\s+${action}\\s+${doctor.address.toLowerCase()}`));
    }
  });
});
