/**
 * Key backup, recovery and rotation through the real CLI against a gateway process: a patient backs
 * up its keys 2 of 3, loses its device, recovers the keys with two guardians (one is not enough,
 * and a wrong code approves nothing), then rotates them: the old key file is refused, the new one
 * reads the records and manages the consents.
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RecordAdded } from '@medledger/client';
import { labObservation, newPeople, type Person, setUpHospital, writeJsonFile } from './helpers/people.ts';
import {
  type Cli,
  cleanUp,
  cliFor,
  type GatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

describe('key backup, recovery and rotation through the CLI', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let work: string;
  let newDevice: string;
  let patient: Person;
  let guardians: Person[];
  let added: RecordAdded;
  let recovered: string;
  let rotated: string;

  before(async () => {
    gateway = await startGatewayProcess({ dataDir: await temporaryDirectory('keys-data') });
    cli = cliFor(gateway.url);
    work = await temporaryDirectory('keys-files');
    newDevice = await temporaryDirectory('keys-new-device');
    const [admin, doctor1, doctor2, guardianPatient, owner] = await newPeople(cli, work, [
      'admin',
      'doctor1',
      'doctor2',
      'guardian-patient',
      'patient',
    ]);
    patient = owner;
    guardians = [doctor1, doctor2, guardianPatient];
    await setUpHospital(cli, { admin, doctors: [doctor1, doctor2], patients: [patient, guardianPatient] });
    const file = await writeJsonFile(work, 'glucose.json', labObservation(patient.address, 91));
    added = await cli.json<RecordAdded>(
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
  });
  after(cleanUp);

  test('key backup splits the keys 2 of 3 among the guardians and commits the backup on chain', async () => {
    const backup = await cli.json<{ threshold: number; guardians: string[]; blockNumber: number }>(
      'key',
      'backup',
      '--guardians',
      guardians.map((g) => g.address).join(','),
      '--threshold',
      '2',
      '--as',
      patient.keyFile,
    );
    assert.equal(backup.threshold, 2);
    assert.deepEqual(
      backup.guardians,
      guardians.map((g) => g.address.toLowerCase()),
    );
    const tooFew = await cli.run(
      'key',
      'backup',
      '--guardians',
      guardians[0]!.address,
      '--threshold',
      '1',
      '--as',
      patient.keyFile,
    );
    assert.equal(tooFew.code, 2, tooFew.stderr);
  });

  test('key recover: one guardian is not enough, a wrong code approves nothing, two recover the keys', async () => {
    const out = join(newDevice, 'patient.json');
    const started = await cli.json<{
      requestId: string;
      code: string;
      threshold: number;
      pendingFile: string;
    }>('key', 'recover', 'start', '--patient', patient.address, '--out', out);
    assert.equal(started.threshold, 2);
    assert.equal((await stat(started.pendingFile)).mode & 0o777, 0o600);
    const human = await cli.run('key', 'recover', 'start', '--patient', patient.address, '--out', out);
    assert.equal(human.code, 1, 'a second start for the same OUT is refused (its pending file exists)');
    assert.match(human.stderr, /already exists/);

    const pending = await cli.json<{ requests: { request: { requestId: string } }[] }>(
      'key',
      'recover',
      'pending',
      '--as',
      guardians[0]!.keyFile,
    );
    assert.deepEqual(
      pending.requests.map((r) => r.request.requestId),
      [started.requestId],
    );

    const approve = (guardian: Person, code: string) =>
      cli.run('key', 'recover', 'approve', started.requestId, '--code', code, '--as', guardian.keyFile);
    const wrong = await approve(guardians[0]!, 'AAAA-BBBB-CCCC-DDDD');
    assert.equal(wrong.code, 3, wrong.stderr);
    assert.match(wrong.stderr, /does not match/);
    const first = await approve(guardians[0]!, started.code);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`patient ${patient.address.toLowerCase()}`));
    assert.match(first.stdout, /1 of the 2 approvals/);

    const early = await cli.run('key', 'recover', 'finish', started.requestId, '--out', out);
    assert.equal(early.code, 3, early.stderr);
    assert.match(early.stderr, /Only 1 of the 2 guardian shares/);

    assert.equal((await approve(guardians[2]!, started.code)).code, 0);
    const finished = await cli.json<{ patient: string; file: string }>(
      'key',
      'recover',
      'finish',
      started.requestId,
      '--out',
      out,
    );
    assert.equal(finished.patient.toLowerCase(), patient.address.toLowerCase());
    assert.equal((await stat(out)).mode & 0o777, 0o600);
    const original = JSON.parse(await readFile(patient.keyFile, 'utf8'));
    const restored = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(restored.signingKey, original.signingKey);
    assert.equal(restored.encryptionSecretKey, original.encryptionSecretKey);
    await assert.rejects(stat(`${out}.recovery`), 'the pending file is gone');
    const again = await cli.run('key', 'recover', 'finish', started.requestId, '--out', out);
    assert.notEqual(again.code, 0);

    const read = await cli.run('record', 'get', added.recordId, '--as', out);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(JSON.parse(read.stdout).valueQuantity.value, 91);
    recovered = out;
  });

  test('key rotate: the new key file reads and manages consents, the old one is refused', async () => {
    rotated = join(newDevice, 'patient-rotated.json');
    const result = await cli.json<{
      patient: string;
      signer: string;
      records: { readable: string[]; reencrypted: unknown[]; unreadable: unknown[] };
      backupHoldsOldKey: boolean;
    }>('key', 'rotate', '--as', recovered, '--out', rotated);
    assert.equal(result.patient.toLowerCase(), patient.address.toLowerCase());
    assert.deepEqual(result.records, { readable: [added.recordId], reencrypted: [], unreadable: [] });
    assert.equal(result.backupHoldsOldKey, true);
    assert.equal((await stat(rotated)).mode & 0o777, 0o600);
    const keyFile = JSON.parse(await readFile(rotated, 'utf8'));
    assert.equal(keyFile.account.toLowerCase(), patient.address.toLowerCase());
    assert.equal(keyFile.address.toLowerCase(), result.signer.toLowerCase());

    for (const old of [patient.keyFile, recovered]) {
      const refused = await cli.run('record', 'get', added.recordId, '--as', old);
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(refused.stderr, /rotated out/);
    }
    const again = await cli.run(
      'key',
      'rotate',
      '--as',
      patient.keyFile,
      '--out',
      join(newDevice, 'never.json'),
    );
    assert.equal(again.code, 3, again.stderr);
    await assert.rejects(
      stat(join(newDevice, 'never.json')),
      'no key file is left behind by a refused rotation',
    );

    const read = await cli.run('record', 'get', added.recordId, '--as', rotated);
    assert.equal(read.code, 0, read.stderr);
    const doctor = guardians[1]!;
    const granted = await cli.json<{ grantId: number }>(
      'consent',
      'grant',
      '--to',
      doctor.address,
      '--categories',
      'lab',
      '--actions',
      'read',
      '--expires',
      '1h',
      '--as',
      rotated,
    );
    assert.equal((await cli.run('record', 'get', added.recordId, '--as', doctor.keyFile)).code, 0);
    assert.equal((await cli.run('consent', 'revoke', String(granted.grantId), '--as', rotated)).code, 0);
    assert.equal((await cli.run('record', 'get', added.recordId, '--as', doctor.keyFile)).code, 3);

    // The new keys are backed up again, with the same guardians.
    const backup = await cli.run(
      'key',
      'backup',
      '--guardians',
      guardians.map((g) => g.address).join(','),
      '--threshold',
      '2',
      '--as',
      rotated,
    );
    assert.equal(backup.code, 0, backup.stderr);
  });
});
