/**
 * Appointments through a real gateway on a real chain: slots published by clinicians and admins
 * (and refused to anyone else), two bookings of one slot (one wins, also through two gateway
 * processes on one PostgreSQL store), the visit's consent given by booking and ended by cancelling (revoked on chain
 * when the patient cancels; refused by the gateway at once when the clinician does), rescheduling,
 * the clinician's day list, and the notifications and audit events of each change.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type Appointment,
  appointmentOf,
  bookAppointment,
  cancelAppointment,
  createGatewayClient,
  dayList,
  type GatewayClient,
  listAppointments,
  listSlots,
  publishSlots,
  rescheduleAppointment,
  revokeEndedAppointmentConsents,
  slotsAsFhir,
} from '@medledger/client';
import {
  AccessDeniedError,
  buildAppointment,
  ConflictError,
  generateIdentity,
  InvalidInputError,
  NotFoundError,
} from '@medledger/core';
import { writeDeployment } from '@medledger/ledger-node';
import { TOTP, URI } from 'otpauth';
import { rejectsWith } from '../../client/test/helpers.ts';
import { type Consortium, foundConsortium, newActor, newMember, newPatient } from './helpers/actors.ts';
import { condition, eventually } from './helpers/emergencies.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { call } from './helpers/http.ts';
import { sharedTestPostgres } from './helpers/postgres.ts';

const gatewayScript = fileURLToPath(new URL('./helpers/gatewayProcess.ts', import.meta.url));

/** Tomorrow at `hour`:00 UTC plus `minutes`, in unix seconds. */
function tomorrowAt(hour: number, minutes = 0): number {
  const day = new Date();
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1, hour, minutes) / 1000;
}

describe('appointments', () => {
  let gateway: TestGateway;
  let hospital: Consortium;
  let doctor: GatewayClient;
  let nurse: GatewayClient;
  let patient: GatewayClient;
  let otherPatient: GatewayClient;

  before(async () => {
    gateway = await startTestGateway();
    hospital = await foundConsortium(gateway.url);
    [doctor, nurse, patient, otherPatient] = await Promise.all([
      newMember(gateway.url, hospital, 'doctor'),
      newMember(gateway.url, hospital, 'nurse'),
      newPatient(gateway.url, hospital),
      newPatient(gateway.url, hospital),
    ]);
  });
  after(() => gateway?.stop());

  const grantOnChain = (grantId: number) =>
    gateway.services.ledger.read('consents', 'grantOf', [BigInt(grantId)]);
  const notified = (client: GatewayClient, kind: string, appointmentId: number) =>
    eventually(async () => {
      const { notifications } = await client.notifications();
      return notifications.find((n) => n.kind === kind && n.data.appointmentId === appointmentId);
    }, `${kind} of appointment ${appointmentId}`);

  describe('publishing slots', () => {
    it('lets a doctor or nurse publish their own slots and an admin those of its members, once each', async () => {
      const mine = await publishSlots(doctor, { from: tomorrowAt(9), to: tomorrowAt(10), minutes: 20 });
      assert.deepEqual(
        mine.map((slot) => [slot.start, slot.end, slot.status, slot.organisationId]),
        [0, 1, 2].map((i) => [
          tomorrowAt(9, 20 * i),
          tomorrowAt(9, 20 * (i + 1)),
          'free',
          hospital.organisationId,
        ]),
      );
      const again = await publishSlots(doctor, { from: tomorrowAt(9), to: tomorrowAt(10), minutes: 20 });
      assert.deepEqual(again, [], 'slots already published are not added twice');
      assert.equal(
        (await publishSlots(nurse, { from: tomorrowAt(9), to: tomorrowAt(10), minutes: 30 })).length,
        2,
      );
      const byAdmin = await publishSlots(hospital.admin, {
        practitioner: doctor.address,
        from: tomorrowAt(14),
        to: tomorrowAt(16),
        minutes: 30,
      });
      assert.equal(byAdmin.length, 4);
      assert.ok(byAdmin.every((slot) => slot.practitioner === doctor.address));
    });

    it('refuses a non-member, a patient, a non-clinician and the admin of another organisation, and audits it', async () => {
      const outsider = newActor(gateway.url);
      const window = { from: tomorrowAt(11), to: tomorrowAt(12), minutes: 30 };
      await rejectsWith(publishSlots(outsider, window), AccessDeniedError, 'not_practitioner');
      await rejectsWith(
        publishSlots(outsider, { ...window, practitioner: doctor.address }),
        AccessDeniedError,
        'not_organisation_admin',
      );
      await rejectsWith(
        publishSlots(patient, { ...window, practitioner: doctor.address }),
        AccessDeniedError,
        'not_organisation_admin',
      );
      await rejectsWith(publishSlots(hospital.admin, window), AccessDeniedError, 'not_practitioner');
      // Another organisation, hosted at the same gateway: its admin publishes for its own members only.
      const otherAdmin = newActor(gateway.url);
      const { organisationId } = await otherAdmin.createOrganisation({
        name: 'Other Clinic',
        kind: 'hospital',
      });
      await hospital.admin.approveOrganisation(organisationId);
      await rejectsWith(
        publishSlots(otherAdmin, { ...window, practitioner: doctor.address }),
        AccessDeniedError,
        'not_organisation_admin',
      );
      const otherDoctor = await newMember(gateway.url, { admin: otherAdmin, organisationId }, 'doctor');
      const theirs = await publishSlots(otherAdmin, { ...window, practitioner: otherDoctor.address });
      assert.ok(theirs.length === 2 && theirs.every((slot) => slot.organisationId === organisationId));
      const events = await gateway.services.store.auditEvents({ actor: outsider.address });
      assert.deepEqual(
        events
          .map((event) => [event.action, event.outcome, event.reason])
          .toSorted()
          .reverse(),
        [
          ['slots-publish', 'denied', 'not_practitioner'],
          ['slots-publish', 'denied', 'not_organisation_admin'],
        ],
      );
    });

    it('lists free slots by organisation, practitioner and time, as JSON and as FHIR Schedule and Slot', async () => {
      const byDoctor = await listSlots(patient, {
        practitioner: doctor.address,
        from: tomorrowAt(0),
        to: tomorrowAt(23),
      });
      assert.equal(byDoctor.length, 7);
      const morning = await listSlots(patient, {
        organisationId: hospital.organisationId,
        from: tomorrowAt(9),
        to: tomorrowAt(10),
      });
      assert.equal(morning.length, 5, 'three of the doctor and two of the nurse');
      const bundle = await slotsAsFhir(patient, {
        organisationId: hospital.organisationId,
        from: tomorrowAt(9),
        to: tomorrowAt(10),
      });
      const types = bundle.entry.map((entry) => (entry.resource as { resourceType: string }).resourceType);
      assert.deepEqual(
        [types.filter((t) => t === 'Schedule').length, types.filter((t) => t === 'Slot').length],
        [2, 5],
      );
    });
  });

  describe('booking', () => {
    it('books a taken slot for one patient only: two bookings at once, one wins, the other is refused slot_taken', async () => {
      const [slot] = await publishSlots(doctor, {
        from: tomorrowAt(17),
        to: tomorrowAt(17, 15),
        minutes: 15,
      });
      assert.ok(slot);
      const outcomes = await Promise.allSettled([
        bookAppointment(patient, { slotId: slot.slotId, categories: ['condition'] }),
        bookAppointment(otherPatient, { slotId: slot.slotId, categories: ['condition'] }),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      assert.ok(lost[0]?.reason instanceof ConflictError);
      assert.equal(lost[0].reason.reason, 'slot_taken');
      const loser = outcomes[0]?.status === 'rejected' ? patient : otherPatient;
      assert.deepEqual((await loser.listConsents()).given, [], 'the losing booking granted nothing');
      await rejectsWith(
        bookAppointment(loser, { slotId: slot.slotId, categories: [] }),
        ConflictError,
        'slot_taken',
      );
    });

    it('gives the clinician the visit’s consent, lists it in the day, and notifies both sides', async () => {
      const chart = await patient.addRecord({
        patient: patient.address,
        category: 'condition',
        resource: condition(),
      });
      const [slot] = await listSlots(patient, {
        practitioner: doctor.address,
        from: tomorrowAt(9),
        to: tomorrowAt(10),
      });
      assert.ok(slot);
      const booked = await bookAppointment(patient, {
        slotId: slot.slotId,
        categories: ['condition', 'medication'],
        followUpHours: 48,
        description: 'Diabetes review',
      });
      assert.equal(booked.status, 'booked');
      assert.equal(booked.consent, 'active');
      assert.deepEqual(booked.categories.toSorted(), ['administrative', 'condition', 'medication']);
      assert.equal(booked.consentExpiresAt, slot.end + 48 * 3600);
      const grant = await grantOnChain(booked.grantId as number);
      assert.equal(grant.grantee.toLowerCase(), doctor.address);
      assert.ok(Math.abs(Number(grant.expiresAt) - booked.consentExpiresAt) <= 5);
      assert.equal(grant.actions, 3, 'read and append');
      // The slot is no longer free; the clinician reads the chart and the Appointment record.
      assert.ok(
        !(
          await listSlots(patient, { practitioner: doctor.address, from: tomorrowAt(9), to: tomorrowAt(10) })
        ).some((s) => s.slotId === slot.slotId),
      );
      await doctor.readRecord(chart.recordId);
      const day = await dayList(doctor, new Date(slot.start * 1000));
      const entry = day.find((e) => e.appointmentId === booked.appointmentId);
      assert.equal(entry?.patient, patient.address);
      assert.equal(entry?.start, slot.start);
      assert.equal(entry?.resource?.resourceType, 'Appointment');
      assert.equal(entry?.resource?.status, 'booked');
      assert.equal(entry?.resource?.description, 'Diabetes review');
      await notified(patient, 'appointment-booked', booked.appointmentId);
      await notified(doctor, 'appointment-booked', booked.appointmentId);
      const audited = await gateway.services.store.auditEvents({ patient: patient.address });
      for (const action of ['appointment-book', 'appointment-confirm']) {
        assert.ok(
          audited.some((event) => event.action === action && event.outcome === 'allowed'),
          action,
        );
      }
      await rejectsWith(appointmentOf(nurse, booked.appointmentId), NotFoundError, 'no_such_appointment');
      // Someone else cannot cancel it either, straight at the route: the same answer as for none.
      await rejectsWith(
        nurse.call('POST', `/api/appointments/${booked.appointmentId}/cancellation`, {}),
        NotFoundError,
        'no_such_appointment',
      );
    });
  });

  describe('a booking that fails midway', () => {
    it('refuses to confirm with a grant that is not the visit’s, and its cancellation frees the slot and ends the grant', async () => {
      const patient = await newPatient(gateway.url, hospital);
      const chart = await patient.addRecord({
        patient: patient.address,
        category: 'condition',
        resource: condition('Gout'),
      });
      const [slot] = await publishSlots(doctor, {
        from: tomorrowAt(18),
        to: tomorrowAt(18, 15),
        minutes: 15,
      });
      assert.ok(slot);
      const pending = await patient.call<Appointment>('POST', '/api/appointments', {
        slotId: slot.slotId,
        categories: ['condition'],
      });
      assert.equal(pending.status, 'pending');
      assert.equal(pending.consentExpiresAt, slot.end + 24 * 3600, 'a day of follow-up by default');
      // A grant too long (a year) is not the visit's consent.
      const tooLong = await patient.grantConsent({
        grantee: doctor.address,
        categories: ['condition', 'administrative'],
        actions: ['read', 'append'],
        expiresInSeconds: 365 * 86_400,
      });
      const { recordId } = await patient.addRecord({
        patient: patient.address,
        category: 'administrative',
        resource: buildAppointment({
          patient: patient.address,
          practitioner: doctor.address,
          organisationId: hospital.organisationId,
          appointmentId: pending.appointmentId,
          slotId: slot.slotId,
          start: new Date(slot.start * 1000).toISOString(),
          end: new Date(slot.end * 1000).toISOString(),
          status: 'booked',
        }),
      });
      await rejectsWith(
        patient.call('POST', `/api/appointments/${pending.appointmentId}/confirmation`, {
          grantId: tooLong.grantId,
          recordId,
        }),
        InvalidInputError,
        'grant_mismatch',
      );
      await patient.revokeConsent(tooLong.grantId);
      // The visit's grant was made, then the record step "failed": the client cancels with the grant.
      const visit = await patient.grantConsent({
        grantee: doctor.address,
        categories: ['condition', 'administrative'],
        actions: ['read', 'append'],
        expiresInSeconds: pending.consentExpiresAt - Math.floor(Date.now() / 1000),
      });
      await doctor.readRecord(chart.recordId);
      const cancelled = await patient.call<Appointment>(
        'POST',
        `/api/appointments/${pending.appointmentId}/cancellation`,
        { reason: 'booking-failed', grantId: visit.grantId },
      );
      assert.equal(cancelled.consent, 'ended');
      await rejectsWith(doctor.readRecord(chart.recordId), AccessDeniedError, 'no_consent');
      assert.ok(
        (
          await listSlots(otherPatient, {
            practitioner: doctor.address,
            from: tomorrowAt(18),
            to: tomorrowAt(19),
          })
        ).some((s) => s.slotId === slot.slotId),
      );
    });

    it('a failed grant (second factor on, no code) frees the slot; with the code the booking goes through', async () => {
      const patient = await newPatient(gateway.url, hospital);
      const { uri } = await patient.startOtpEnrolment();
      const totp = URI.parse(uri);
      assert.ok(totp instanceof TOTP);
      await patient.confirmOtp(totp.generate());
      const [slot] = await publishSlots(doctor, {
        from: tomorrowAt(19),
        to: tomorrowAt(19, 15),
        minutes: 15,
      });
      assert.ok(slot);
      const refused = await rejectsWith(
        bookAppointment(patient, { slotId: slot.slotId, categories: ['condition'] }),
        AccessDeniedError,
        'otp_required',
      );
      assert.ok(refused);
      const free = await listSlots(patient, {
        practitioner: doctor.address,
        from: tomorrowAt(19),
        to: tomorrowAt(20),
      });
      assert.ok(
        free.some((s) => s.slotId === slot.slotId),
        'the failed booking released its slot',
      );
      assert.deepEqual((await patient.listConsents()).given, []);
      const booked = await bookAppointment(patient, {
        slotId: slot.slotId,
        categories: ['condition'],
        otp: totp.generate({ timestamp: Date.now() + 30_000 }),
      });
      assert.equal(booked.status, 'booked');
    });

    it('refuses unknown fields and documents the routes in the OpenAPI description', async () => {
      const token = (await patient.signIn()).token;
      const refused = await call(gateway.url, 'POST', '/api/slots', {
        token,
        body: {
          practitioner: doctor.address,
          from: tomorrowAt(20),
          to: tomorrowAt(21),
          minutes: 30,
          colour: 'red',
        },
      });
      assert.equal(refused.status, 400);
      assert.equal((refused.body as { error: { reason: string } }).error.reason, 'schema_violation');
      const openApi = (await call(gateway.url, 'GET', '/docs/json')).body as {
        paths: Record<string, unknown>;
      };
      for (const path of [
        '/api/slots',
        '/api/appointments',
        '/api/appointments/{id}/confirmation',
        '/api/appointments/{id}/cancellation',
      ]) {
        assert.ok(openApi.paths[path], path);
      }
    });
  });

  describe('a cancelled appointment’s consent ends', () => {
    it('when the patient cancels: the slot is free, the grant revoked on chain, the cancelled record written, both told', async () => {
      const [slot] = await listSlots(patient, {
        practitioner: doctor.address,
        from: tomorrowAt(14),
        to: tomorrowAt(15),
      });
      assert.ok(slot);
      const booked = await bookAppointment(patient, { slotId: slot.slotId, categories: ['condition'] });
      const cancelled = await cancelAppointment(patient, booked.appointmentId);
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(cancelled.cancelReason, 'patient');
      assert.equal(cancelled.consent, 'revoked');
      assert.equal((await grantOnChain(booked.grantId as number)).revoked, true, 'the chain says revoked');
      assert.ok(cancelled.cancelRecordId);
      const { resource } = await patient.readRecord(cancelled.cancelRecordId as `0x${string}`);
      assert.equal((resource as { status: string }).status, 'cancelled');
      assert.ok(
        (
          await listSlots(otherPatient, {
            practitioner: doctor.address,
            from: tomorrowAt(14),
            to: tomorrowAt(15),
          })
        ).some((s) => s.slotId === slot.slotId),
        'the slot is free again',
      );
      await notified(doctor, 'appointment-cancelled', booked.appointmentId);
      await notified(patient, 'appointment-cancelled', booked.appointmentId);
      await rejectsWith(
        cancelAppointment(patient, booked.appointmentId),
        ConflictError,
        'appointment_cancelled',
      );
    });

    it('when the clinician cancels: the gateway refuses the clinician’s reads at once, and the patient’s client revokes later', async () => {
      // A patient whose only grant to the doctor is this visit's (another would still authorise).
      const patient = await newPatient(gateway.url, hospital);
      const chart = await patient.addRecord({
        patient: patient.address,
        category: 'condition',
        resource: condition('Asthma'),
      });
      const [slot] = await listSlots(patient, {
        practitioner: doctor.address,
        from: tomorrowAt(15),
        to: tomorrowAt(16),
      });
      assert.ok(slot);
      const booked = await bookAppointment(patient, { slotId: slot.slotId, categories: ['condition'] });
      await doctor.readRecord(chart.recordId);
      const cancelled = await cancelAppointment(doctor, booked.appointmentId);
      assert.equal(cancelled.cancelReason, 'practitioner');
      assert.equal(cancelled.consent, 'ended');
      // The clinician wrote the record's cancelled version under the visit's grant, before it ended.
      const version = await patient.readRecord(cancelled.cancelRecordId as `0x${string}`);
      assert.equal((version.resource as { status: string }).status, 'cancelled');
      assert.equal(version.record.supersedes, booked.recordId);
      assert.equal(version.record.author, doctor.address);
      assert.equal(
        (await grantOnChain(booked.grantId as number)).revoked,
        false,
        'the chain still has the grant',
      );
      await rejectsWith(doctor.readRecord(chart.recordId), AccessDeniedError, 'no_consent');
      const denied = await gateway.services.store.auditEvents({ actor: doctor.address });
      assert.ok(denied.some((event) => event.recordId === chart.recordId && event.outcome === 'denied'));
      const told = await notified(patient, 'appointment-cancelled', booked.appointmentId);
      assert.equal(told.data.grantId, booked.grantId);
      assert.deepEqual(await revokeEndedAppointmentConsents(patient), [booked.grantId]);
      assert.equal((await grantOnChain(booked.grantId as number)).revoked, true);
      assert.equal((await appointmentOf(patient, booked.appointmentId)).consent, 'revoked');
    });

    it('ends only the appointment’s grant: another consent of the patient still authorises the clinician', async () => {
      const patient = await newPatient(gateway.url, hospital);
      const chart = await patient.addRecord({
        patient: patient.address,
        category: 'condition',
        resource: condition('Migraine'),
      });
      const standing = await patient.grantConsent({
        grantee: doctor.address,
        categories: ['condition'],
        actions: ['read'],
        expiresInSeconds: 7 * 86_400,
      });
      const [slot] = await listSlots(patient, {
        practitioner: doctor.address,
        from: tomorrowAt(9),
        to: tomorrowAt(17),
      });
      assert.ok(slot);
      const booked = await bookAppointment(patient, { slotId: slot.slotId, categories: ['condition'] });
      await cancelAppointment(doctor, booked.appointmentId);
      const { record } = await doctor.readRecord(chart.recordId);
      assert.equal(record.recordId, chart.recordId);
      const allowed = (await gateway.services.store.auditEvents({ actor: doctor.address })).find(
        (event) => event.recordId === chart.recordId && event.outcome === 'allowed',
      );
      assert.equal(allowed?.reason, `grant ${standing.grantId}`, 'the standing grant, not the ended one');
    });

    it('reschedules: books the new slot, cancels the old one as rescheduled, the old slot free again', async () => {
      const [first, second] = await listSlots(patient, {
        practitioner: doctor.address,
        from: tomorrowAt(14),
        to: tomorrowAt(16),
      });
      assert.ok(first && second);
      const old = await bookAppointment(patient, { slotId: first.slotId, categories: ['medication'] });
      const { booked, cancelled } = await rescheduleAppointment(patient, old.appointmentId, {
        slotId: second.slotId,
      });
      assert.equal(booked.replaces, old.appointmentId);
      assert.deepEqual(booked.categories.toSorted(), ['administrative', 'medication']);
      assert.equal(cancelled.cancelReason, 'rescheduled');
      assert.equal(cancelled.replacedBy, booked.appointmentId);
      assert.equal((await grantOnChain(old.grantId as number)).revoked, true);
      const told = await notified(doctor, 'appointment-cancelled', old.appointmentId);
      assert.equal(told.data.rescheduledTo, booked.appointmentId);
      const mine = await listAppointments(patient, {
        view: 'patient',
        from: tomorrowAt(14),
        to: tomorrowAt(16),
      });
      assert.deepEqual(
        mine
          .map((a) => [a.appointmentId, a.status])
          .filter(([id]) => id === old.appointmentId || id === booked.appointmentId),
        [
          [old.appointmentId, 'cancelled'],
          [booked.appointmentId, 'booked'],
        ],
      );
    });
  });
});

describe('two gateway processes of one organisation on one PostgreSQL store', () => {
  let first: TestGateway;
  let second: { url: string; child: ChildProcess; output: () => string };

  before(async () => {
    const store = await (await sharedTestPostgres()).createDatabase();
    first = await startTestGateway({ store });
    const deploymentFile = join(first.dataDir, 'shared-deployment.json');
    await writeDeployment(deploymentFile, first.deployment);
    // The second process shares the first's store, chain, keys and contracts, as processes of one organisation do.
    const config = {
      dataDir: first.dataDir,
      store,
      rpcUrl: first.rpcUrl,
      deploymentFile,
      port: 0,
      logLevel: 'warn',
    };
    const child = spawn(process.execPath, [gatewayScript, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += String(chunk)));
    child.stderr?.on('data', (chunk) => (output += String(chunk)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', () => {
        const line = output.split('\n').find((l) => l.startsWith('{"url"'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      child.once('exit', (code) =>
        reject(new Error(`the second gateway process ended (${code}):\n${output}`)),
      );
    });
    second = { url, child, output: () => output };
  });
  after(async () => {
    if (second && second.child.exitCode === null) {
      const exited = new Promise((resolve) => second.child.once('exit', resolve));
      second.child.kill('SIGTERM');
      await exited;
    }
    await first?.stop();
  });

  it('lets one of two bookings of one slot win, each sent to another process', async () => {
    const hospital = await foundConsortium(first.url);
    const doctor = await newMember(first.url, hospital, 'doctor');
    const patients = await Promise.all([newPatient(first.url, hospital), newPatient(first.url, hospital)]);
    const [slot] = await publishSlots(doctor, { from: tomorrowAt(8), to: tomorrowAt(8, 30), minutes: 30 });
    assert.ok(slot);
    const viaSecond = createGatewayClient({
      url: second.url,
      identity: patients[1]?.identity ?? generateIdentity(),
    });
    const outcomes = await Promise.allSettled([
      bookAppointment(patients[0] as GatewayClient, { slotId: slot.slotId, categories: [] }),
      bookAppointment(viaSecond, { slotId: slot.slotId, categories: [] }),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status).toSorted(), ['fulfilled', 'rejected']);
    const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.ok(lost?.reason instanceof ConflictError);
    assert.equal(lost.reason.reason, 'slot_taken');
  });
});
