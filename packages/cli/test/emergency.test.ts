/**
 * Emergency access and notifications through the real CLI against a real gateway process: an admin
 * privileges a doctor, the doctor breaks the glass, the patient's `notifications --follow` prints
 * it as it happens, the doctor reads the emergency set only, and the admin reviews.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { Emergency, Notification } from '@medledger/client';
import type { Hex } from 'viem';
import { labObservation, newPeople, type Person, setUpHospital, writeJsonFile } from './helpers/people.ts';
import {
  type Cli,
  cleanUp,
  cliFor,
  type GatewayProcess,
  medledgerBin,
  sleep,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

const allergy = {
  resourceType: 'AllergyIntolerance',
  clinicalStatus: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
  },
  code: {
    coding: [{ system: 'http://snomed.info/sct', code: '91936005', display: 'Allergy to penicillin' }],
  },
  patient: { reference: 'Patient/example' },
};
const justification = 'Unconscious after a fall; no relative reachable';

/** `medledger --json notifications --follow` as a running process, with the lines it printed. */
function followNotifications(server: string, person: Person) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('MEDLEDGER_')) delete env[name];
  const child: ChildProcess = spawn(
    process.execPath,
    [medledgerBin, '--server', server, '--json', 'notifications', '--follow', '--as', person.keyFile],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const printed = () =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Notification);
  return {
    printed,
    async waitFor(kind: string): Promise<Notification> {
      for (let waited = 0; waited < 30_000; waited += 100) {
        const found = printed().find((notification) => notification.kind === kind);
        if (found) return found;
        if (child.exitCode !== null) break;
        await sleep(100);
      }
      throw new Error(`no ${kind} notification printed:\n${stdout}\n${stderr}`);
    },
    async stop(): Promise<number | null> {
      child.kill('SIGINT');
      return exited;
    },
  };
}

describe('emergency access and notifications through the CLI', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let admin: Person;
  let doctor: Person;
  let nurse: Person;
  let patient: Person;
  let allergyRecord: Hex;
  let labRecord: Hex;
  let follower: ReturnType<typeof followNotifications>;
  let emergency: Emergency;

  before(async () => {
    const work = await temporaryDirectory('emergency-files');
    gateway = await startGatewayProcess({ dataDir: await temporaryDirectory('emergency-data') });
    cli = cliFor(gateway.url);
    [admin, doctor, nurse, patient] = await newPeople(cli, work, ['admin', 'doctor', 'nurse', 'patient']);
    await setUpHospital(cli, { admin, doctors: [doctor, nurse], patients: [patient] });
    const [allergyFile, labFile] = await Promise.all([
      writeJsonFile(work, 'allergy.json', allergy),
      writeJsonFile(work, 'lab.json', labObservation(patient.address, 95)),
    ]);
    const add = (category: string, file: string) =>
      cli.json<{ recordId: Hex }>(
        'record',
        'add',
        '--as',
        patient.keyFile,
        '--patient',
        patient.address,
        '--category',
        category,
        '--file',
        file,
      );
    [{ recordId: allergyRecord }, { recordId: labRecord }] = await Promise.all([
      add('allergy', allergyFile),
      add('lab', labFile),
    ]);
    follower = followNotifications(gateway.url, patient);
  });
  after(async () => {
    await follower?.stop();
    await cleanUp();
  });

  test('an admin gives a doctor the emergency privilege; only an admin may', async () => {
    const refused = await cli.run(
      'member',
      'emergency-privilege',
      doctor.address,
      '--on',
      '--as',
      nurse.keyFile,
    );
    assert.equal(refused.code, 3, refused.stderr);
    const both = await cli.run(
      'member',
      'emergency-privilege',
      doctor.address,
      '--on',
      '--off',
      '--as',
      admin.keyFile,
    );
    assert.equal(both.code, 2, both.stderr);
    const set = await cli.json<{ privileged: boolean }>(
      'member',
      'emergency-privilege',
      doctor.address,
      '--on',
      '--as',
      admin.keyFile,
    );
    assert.equal(set.privileged, true);
  });

  test('the doctor declares an emergency, and the patient’s follower prints it at once', async () => {
    const badReason = await cli.run(
      'emergency',
      'declare',
      '--patient',
      patient.address,
      '--reason',
      'bored',
      '--justification',
      justification,
      '--as',
      doctor.keyFile,
    );
    assert.equal(badReason.code, 2, badReason.stderr);
    emergency = await cli.json<Emergency>(
      'emergency',
      'declare',
      '--patient',
      patient.address,
      '--reason',
      'unconscious',
      '--justification',
      justification,
      '--as',
      doctor.keyFile,
    );
    assert.deepEqual([emergency.status, emergency.verdict], ['open', 'pending']);
    const notified = await follower.waitFor('emergency-declared');
    assert.equal(notified.data.emergencyId, emergency.emergencyId);
    assert.equal(notified.data.member, doctor.address.toLowerCase());
  });

  test('the doctor reads the allergy, not the lab result; the nurse and a second declaration are refused', async () => {
    const read = await cli.json<unknown>('record', 'get', allergyRecord, '--as', doctor.keyFile);
    assert.deepEqual(read, allergy);
    const lab = await cli.run('record', 'get', labRecord, '--as', doctor.keyFile);
    assert.equal(lab.code, 3, lab.stderr);
    const declare = (as: Person) =>
      cli.run(
        'emergency',
        'declare',
        '--patient',
        patient.address,
        '--reason',
        'other',
        '--justification',
        'again',
        '--as',
        as.keyFile,
      );
    const nurseTry = await declare(nurse);
    assert.equal(nurseTry.code, 3, nurseTry.stderr);
    const again = await declare(doctor);
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /is already open for this patient/);
  });

  test('the admin lists it unreviewed with its justification and judges it; the nurse may not', async () => {
    const { emergencies } = await cli.json<{ emergencies: Emergency[] }>(
      'emergency',
      'list',
      '--unreviewed',
      '--as',
      admin.keyFile,
    );
    assert.deepEqual(
      emergencies.map((e) => [e.emergencyId, e.justification]),
      [[emergency.emergencyId, justification]],
    );
    const human = await cli.run('emergency', 'list', '--as', admin.keyFile);
    assert.match(human.stdout, new RegExp(`^${emergency.emergencyId}\\topen\\tpending\\t`));
    const byNurse = await cli.run(
      'emergency',
      'review',
      String(emergency.emergencyId),
      '--verdict',
      'justified',
      '--as',
      nurse.keyFile,
    );
    assert.equal(byNurse.code, 3, byNurse.stderr);
    const reviewed = await cli.json<Emergency>(
      'emergency',
      'review',
      String(emergency.emergencyId),
      '--verdict',
      'justified',
      '--as',
      admin.keyFile,
    );
    assert.equal(reviewed.verdict, 'justified');
    await follower.waitFor('emergency-reviewed');
  });

  test('the patient’s notifications list holds what the follower printed; the follower stops on Ctrl-C', async () => {
    const { notifications } = await cli.json<{ notifications: Notification[] }>(
      'notifications',
      '--as',
      patient.keyFile,
    );
    const kinds = notifications.map((notification) => notification.kind);
    assert.ok(kinds.includes('emergency-declared') && kinds.includes('emergency-reviewed'), kinds.join());
    const last = notifications.at(-1)!;
    const afterLast = await cli.json<{ notifications: Notification[] }>(
      'notifications',
      '--after',
      String(last.id),
      '--as',
      patient.keyFile,
    );
    assert.deepEqual(afterLast.notifications, []);
    assert.deepEqual(
      follower.printed().map((notification) => notification.id),
      notifications.map((notification) => notification.id),
    );
    assert.equal(await follower.stop(), 0);
  });
});
