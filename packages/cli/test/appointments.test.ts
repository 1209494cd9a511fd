/**
 * Appointments through the real CLI against a real gateway process: a doctor publishes slots, a
 * patient books one (the doctor's day list shows it, read under the visit's consent), a second
 * booking of the slot is refused, the patient reschedules and cancels, the doctor cancels another
 * (its consent is refused at once and revoked when the patient next lists), with --json, --help and
 * exit codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Appointment, Slot } from '@medledger/client';
import type { Hex } from 'viem';
import { diabetesCondition, newPeople, type Person, setUpHospital, writeJsonFile } from './helpers/people.ts';
import {
  type Cli,
  cleanUp,
  cliFor,
  type GatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

/** Tomorrow's date (UTC) at `time`, as ISO 8601. */
function tomorrowAt(time: string): string {
  const day = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);
  return `${day}T${time}:00Z`;
}

describe('appointments through the CLI', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let admin: Person;
  let doctor: Person;
  let patient: Person;
  let otherPatient: Person;
  let organisationId: number;
  let condition: Hex;

  before(async () => {
    const work = await temporaryDirectory('appointment-files');
    gateway = await startGatewayProcess({ dataDir: await temporaryDirectory('appointment-data') });
    cli = cliFor(gateway.url);
    [admin, doctor, patient, otherPatient] = await newPeople(cli, work, [
      'admin',
      'doctor',
      'patient',
      'other',
    ]);
    organisationId = await setUpHospital(cli, {
      admin,
      doctors: [doctor],
      patients: [patient, otherPatient],
    });
    ({ recordId: condition } = await cli.json<{ recordId: Hex }>(
      'record',
      'add',
      '--as',
      patient.keyFile,
      '--patient',
      patient.address,
      '--category',
      'condition',
      '--file',
      await writeJsonFile(work, 'condition.json', diabetesCondition(patient.address)),
    ));
  });
  after(cleanUp);

  const freeSlots = () =>
    cli.json<Slot[]>(
      'appointment',
      'slots',
      '--as',
      patient.keyFile,
      '--practitioner',
      doctor.address,
      '--from',
      tomorrowAt('00:00'),
      '--to',
      tomorrowAt('23:59'),
    );

  test('--help names every appointment command', async () => {
    const help = await cli.run('appointment', '--help');
    assert.equal(help.code, 0);
    for (const name of ['slots', 'publish', 'book', 'cancel', 'reschedule', 'list']) {
      assert.match(help.stdout, new RegExp(`\\b${name}\\b`));
    }
  });

  test('a doctor publishes slots; a patient may not publish for the doctor (exit 3); bad times exit 2', async () => {
    const published = await cli.json<Slot[]>(
      'appointment',
      'publish',
      '--as',
      doctor.keyFile,
      '--from',
      tomorrowAt('09:00'),
      '--to',
      tomorrowAt('10:00'),
      '--minutes',
      '20',
    );
    assert.equal(published.length, 3);
    assert.ok(published.every((slot) => slot.organisationId === organisationId && slot.status === 'free'));
    const refused = await cli.run(
      'appointment',
      'publish',
      '--as',
      patient.keyFile,
      '--practitioner',
      doctor.address,
      '--from',
      tomorrowAt('11:00'),
      '--to',
      tomorrowAt('12:00'),
      '--minutes',
      '20',
    );
    assert.equal(refused.code, 3, refused.stderr);
    const invalid = await cli.run(
      'appointment',
      'publish',
      '--as',
      doctor.keyFile,
      '--from',
      'soon',
      '--to',
      tomorrowAt('12:00'),
      '--minutes',
      '20',
    );
    assert.equal(invalid.code, 2, invalid.stderr);
    const fhir = await cli.json<{ resourceType: string; entry: unknown[] }>(
      'appointment',
      'slots',
      '--as',
      patient.keyFile,
      '--org',
      String(organisationId),
      '--fhir',
    );
    assert.equal(fhir.resourceType, 'Bundle');
    assert.equal(fhir.entry.length, 4, 'one Schedule and three Slots');
  });

  test('a patient books; the slot is taken for the other patient (exit 1, slot_taken); the doctor’s day lists it', async () => {
    const [slot] = await freeSlots();
    assert.ok(slot);
    const booked = await cli.json<Appointment>(
      'appointment',
      'book',
      String(slot.slotId),
      '--as',
      patient.keyFile,
      '--categories',
      'condition',
      '--description',
      'Diabetes review',
    );
    assert.equal(booked.status, 'booked');
    assert.equal(booked.consent, 'active');
    const taken = await cli.run(
      '--json',
      'appointment',
      'book',
      String(slot.slotId),
      '--as',
      otherPatient.keyFile,
    );
    assert.equal(taken.code, 1);
    assert.equal((JSON.parse(taken.stderr) as { error: { reason: string } }).error.reason, 'slot_taken');
    const day = await cli.json<(Appointment & { resource: { description?: string } | null })[]>(
      'appointment',
      'list',
      '--as',
      doctor.keyFile,
      '--as-clinician',
      '--day',
      tomorrowAt('00:00').slice(0, 10),
    );
    const entry = day.find((a) => a.appointmentId === booked.appointmentId);
    assert.equal(entry?.patient, patient.address.toLowerCase());
    assert.equal(entry?.resource?.description, 'Diabetes review');
    const human = await cli.run(
      'appointment',
      'list',
      '--as',
      doctor.keyFile,
      '--as-clinician',
      '--day',
      tomorrowAt('00:00').slice(0, 10),
    );
    assert.match(
      human.stdout,
      new RegExp(`${booked.appointmentId}\\t.*booked\\t${patient.address.toLowerCase()}\\tDiabetes review`),
    );
  });

  test('the patient reschedules and cancels: slots free again, consents revoked', async () => {
    const mine = await cli.json<{ appointments: Appointment[] }>(
      'appointment',
      'list',
      '--as',
      patient.keyFile,
    );
    const booked = mine.appointments.find((a) => a.status === 'booked');
    assert.ok(booked);
    const [free] = await freeSlots();
    assert.ok(free);
    const moved = await cli.json<{ booked: Appointment; cancelled: Appointment }>(
      'appointment',
      'reschedule',
      String(booked.appointmentId),
      '--as',
      patient.keyFile,
      '--slot',
      String(free.slotId),
    );
    assert.equal(moved.booked.replaces, booked.appointmentId);
    assert.equal(moved.cancelled.consent, 'revoked');
    const cancelled = await cli.json<Appointment>(
      'appointment',
      'cancel',
      String(moved.booked.appointmentId),
      '--as',
      patient.keyFile,
    );
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.consent, 'revoked');
    assert.equal((await freeSlots()).length, 3, 'every slot free again');
    const again = await cli.run(
      'appointment',
      'cancel',
      String(moved.booked.appointmentId),
      '--as',
      patient.keyFile,
    );
    assert.equal(again.code, 1, again.stderr);
  });

  test('the doctor cancels: its read is refused at once (exit 3), and the patient’s next list revokes the consent', async () => {
    const [slot] = await freeSlots();
    assert.ok(slot);
    const booked = await cli.json<Appointment>(
      'appointment',
      'book',
      String(slot.slotId),
      '--as',
      patient.keyFile,
      '--categories',
      'condition',
    );
    assert.equal((await cli.run('record', 'get', condition, '--as', doctor.keyFile)).code, 0);
    const cancelled = await cli.json<Appointment>(
      'appointment',
      'cancel',
      String(booked.appointmentId),
      '--as',
      doctor.keyFile,
    );
    assert.equal(cancelled.consent, 'ended');
    const refused = await cli.run('record', 'get', condition, '--as', doctor.keyFile);
    assert.equal(refused.code, 3, refused.stderr);
    const listed = await cli.json<{ appointments: Appointment[]; revokedConsents: number[] }>(
      'appointment',
      'list',
      '--as',
      patient.keyFile,
    );
    assert.deepEqual(listed.revokedConsents, [booked.grantId]);
    assert.equal(
      listed.appointments.find((a) => a.appointmentId === booked.appointmentId)?.consent,
      'revoked',
    );
  });
});
