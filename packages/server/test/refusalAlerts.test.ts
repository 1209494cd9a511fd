/**
 * Alerts to the patient when someone is refused access to its records, through a real gateway on a
 * real chain, on SQLite and on PostgreSQL: one alert per requester and hour, the refusals of the
 * hour counted in the next one, none for the patient's own refusals or for allowed access. And the
 * throttle in the store alone: processes sharing the database send one alert per window between them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import type { GatewayClient, Notification } from '@medledger/client';
import { categoryIndex } from '@medledger/core';
import type { Address } from 'viem';
import { alertRefusals, alertRefusalsSinceCursor, refusalAlertWindowMs } from '../src/refusalAlerts.ts';
import type { AuditEventRow } from '../src/store/auditStore.ts';
import { type GatewayStores, openGatewayStores } from '../src/store/gatewayStores.ts';
import { type Consortium, foundConsortium, newMember, newPatient } from './helpers/actors.ts';
import { eventually } from './helpers/emergencies.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { sharedTestPostgres } from './helpers/postgres.ts';
import { labResult } from './helpers/records.ts';
import { storeBackends } from './helpers/storeBackends.ts';

const gatewayStores = [
  { name: 'the test store (SQLite unless MEDLEDGER_TEST_STORE=postgres)', store: async () => undefined },
  { name: 'PostgreSQL', store: async () => (await sharedTestPostgres()).createDatabase() },
];

/** The patient's `access-refused` notifications, oldest first. */
async function refusalAlerts(patient: GatewayClient): Promise<Notification[]> {
  const { notifications } = await patient.notifications();
  return notifications.filter((notification) => notification.kind === 'access-refused');
}

/** Waits until the patient's audit log holds `count` refusals of `requester`. */
function refusalsAudited(patient: GatewayClient, requester: Address, count: number) {
  return eventually(async () => {
    const { events } = await patient.audit({ outcome: 'denied' });
    const own = events.filter((event) => event.actor === requester.toLowerCase());
    return own.length >= count ? own : undefined;
  }, `${count} audited refusals`);
}

/**
 * Waits until the alerts of the refusals audited so far are written: an alert is written after its
 * refusal is audited, so a further refusal of a stand-in requester, alerted, proves the earlier
 * batches done (they are written one after the other).
 */
async function alertsSettled(
  gateway: TestGateway,
  consortium: Consortium,
  patient: GatewayClient,
  recordId: `0x${string}`,
) {
  const witness = await newMember(gateway.url, consortium);
  await assert.rejects(witness.readRecord(recordId), { code: 'access_denied' });
  await eventually(
    async () =>
      (await refusalAlerts(patient)).some(
        (alert) => alert.data.requester === witness.address.toLowerCase(),
      ) || undefined,
    'the witness’s alert',
  );
  return witness;
}

for (const backend of gatewayStores) {
  describe(`alerts on refused access, on ${backend.name}`, () => {
    let gateway: TestGateway;
    let consortium: Consortium;

    before(async () => {
      const store = await backend.store();
      gateway = await startTestGateway(store ? { store } : {});
      consortium = await foundConsortium(gateway.url);
    });
    after(() => gateway.stop());

    it('tell the patient once per requester and hour who was refused, what, when and why; the next alert counts the attempts', async () => {
      const [patient, doctor] = await Promise.all([
        newPatient(gateway.url, consortium),
        newMember(gateway.url, consortium),
      ]);
      const { recordId } = await patient.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labResult(),
      });
      const controller = new AbortController();
      const live = patient.followNotifications({ retryMs: 200, signal: controller.signal });
      try {
        const before = Date.now();
        await assert.rejects(doctor.readRecord(recordId), { code: 'access_denied' });
        let first: Notification | undefined;
        for await (const notification of live) {
          if (notification.kind !== 'access-refused') continue;
          first = notification;
          break;
        }
        assert.deepEqual(
          { ...first?.data, refusedAt: undefined },
          {
            requester: doctor.address.toLowerCase(),
            organisationId: consortium.organisationId,
            action: 'read',
            category: 'lab',
            recordId,
            reason: 'no_consent',
            refusedAt: undefined,
            attempts: 1,
            since: null,
          },
        );
        assert.ok(Number(first?.data.refusedAt) >= before);
      } finally {
        controller.abort();
      }

      // Two more refusals within the hour: audited, counted, no new alert.
      await assert.rejects(doctor.readRecord(recordId), { code: 'access_denied' });
      await assert.rejects(doctor.listRecords(patient.address), { code: 'access_denied' });
      await refusalsAudited(patient, doctor.address, 3);
      await alertsSettled(gateway, consortium, patient, recordId);
      const doctorsAlerts = async () =>
        (await refusalAlerts(patient)).filter(
          (alert) => alert.data.requester === doctor.address.toLowerCase(),
        );
      assert.equal((await doctorsAlerts()).length, 1);

      // An hour later (the gateway's clock moved, no waiting): a new alert, counting three attempts.
      const realNow = Date.now.bind(Date);
      const clock = mock.method(Date, 'now', () => realNow() + refusalAlertWindowMs + 60_000);
      try {
        await assert.rejects(doctor.readRecord(recordId), { code: 'access_denied' });
        const alerts = await eventually(async () => {
          const all = await doctorsAlerts();
          return all.length === 2 ? all : undefined;
        }, 'the alert of the next hour');
        const [firstAlert, next] = alerts as [Notification, Notification];
        assert.deepEqual([next.data.attempts, next.data.reason, next.data.action], [3, 'no_consent', 'read']);
        assert.equal(next.data.since, Date.parse(firstAlert.createdAt));
      } finally {
        clock.mock.restore();
      }
    });

    it('alert once for each of two requesters, never for allowed access or the patient’s own', async () => {
      const [patient, doctor, nurse, reader] = await Promise.all([
        newPatient(gateway.url, consortium),
        newMember(gateway.url, consortium),
        newMember(gateway.url, consortium, 'nurse'),
        newMember(gateway.url, consortium),
      ]);
      const { recordId } = await patient.addRecord({
        patient: patient.address,
        category: 'lab',
        resource: labResult(),
      });
      await patient.grantConsent({
        grantee: reader.address,
        categories: ['lab'],
        actions: ['read'],
        expiresInSeconds: 600,
      });
      await reader.readRecord(recordId);
      await patient.readRecord(recordId);
      await assert.rejects(doctor.readRecord(recordId), { code: 'access_denied' });
      await assert.rejects(nurse.readRecord(recordId), { code: 'access_denied' });
      await assert.rejects(nurse.readRecord(recordId), { code: 'access_denied' });
      await alertsSettled(gateway, consortium, patient, recordId);
      const requesters = (await refusalAlerts(patient)).map((alert) => alert.data.requester);
      assert.ok(requesters.includes(doctor.address.toLowerCase()));
      assert.ok(requesters.includes(nurse.address.toLowerCase()));
      assert.equal(requesters.filter((requester) => requester === nurse.address.toLowerCase()).length, 1);
      assert.ok(!requesters.includes(reader.address.toLowerCase()), 'an allowed read alerts nobody');
      assert.equal(requesters.length, 3, 'the doctor, the nurse and the witness');
      // The reader's allowed read tells of the grant's use, as before.
      assert.ok((await patient.notifications()).notifications.some((n) => n.kind === 'grant-used'));
      // A member is told nothing of the patient's alerts.
      assert.deepEqual(await refusalAlerts(doctor), []);
    });

    it('do not alert of the patient’s own refusals or of an unreadable chain', async () => {
      const patient = await newPatient(gateway.url, consortium);
      const doctor = await newMember(gateway.url, consortium);
      const stores = await openGatewayStores(gateway.storeLocation);
      try {
        const refusal = (actor: Address, reason: string): AuditEventRow => ({
          eventId: crypto.randomUUID(),
          recordedAt: Date.now(),
          actor,
          patient: patient.address,
          action: 'read',
          recordId: null,
          category: categoryIndex('lab'),
          sensitivity: 0,
          purpose: null,
          outcome: 'denied',
          reason,
        });
        const alerted = await alertRefusals(
          dependenciesOf(stores),
          [refusal(patient.address, 'no_consent'), refusal(doctor.address, 'ledger_unavailable')],
          Date.now(),
        );
        assert.deepEqual(alerted, []);
        assert.deepEqual(await refusalAlerts(patient), []);
      } finally {
        await stores.close();
      }
    });
  });
}

/** What `alertRefusals` needs, on stores of the test's own. */
function dependenciesOf(stores: GatewayStores) {
  return {
    store: stores.notifications,
    organisationOf: async (address: Address) => (await stores.store.member(address))?.organisationId || null,
    announce: () => stores.coordination.announce('notifications'),
  };
}

for (const backend of storeBackends) {
  describe(`the refusal alerts' throttle, on ${backend.name}`, () => {
    const patient = '0x00000000000000000000000000000000000000aa' as Address;
    const requester = '0x00000000000000000000000000000000000000bb' as Address;
    const refusal = (recordedAt: number): AuditEventRow => ({
      eventId: crypto.randomUUID(),
      recordedAt,
      actor: requester,
      patient,
      action: 'append',
      recordId: null,
      category: categoryIndex('vitals'),
      sensitivity: 0,
      purpose: null,
      outcome: 'denied',
      reason: 'no_consent',
    });

    it('sends one alert per window, counting the refusals between, at the injected time', async () => {
      const stores = await backend.open();
      try {
        const dependencies = dependenciesOf(stores);
        const start = 1_700_000_000_000;
        const at = async (offset: number) =>
          (await alertRefusals(dependencies, [refusal(start + offset)], start + offset)).map((n) => n.data);
        assert.deepEqual(
          (await at(0)).map((data) => [data.attempts, data.since, data.category]),
          [[1, null, 'vitals']],
        );
        assert.deepEqual(await at(1_000), []);
        assert.deepEqual(await at(refusalAlertWindowMs - 1), []);
        assert.deepEqual(
          (await at(refusalAlertWindowMs)).map((data) => [data.attempts, data.since]),
          [[3, start]],
        );
        assert.deepEqual(await at(refusalAlertWindowMs + 1), []);
        assert.deepEqual(
          (await at(3 * refusalAlertWindowMs)).map((data) => [data.attempts, data.since]),
          [[2, start + refusalAlertWindowMs]],
        );
        // Several refusals of one batch: the first alerts, the others wait for the next window.
        const batch = [refusal(start), refusal(start), refusal(start)];
        const other = { ...refusal(start), actor: patient, patient: requester };
        const stored = await alertRefusals(dependencies, [...batch, other], start + 5 * refusalAlertWindowMs);
        assert.deepEqual(
          stored.map((n) => [n.recipient, n.data.attempts]),
          [
            [patient, 1],
            [requester, 1],
          ],
        );
      } finally {
        await stores.close();
      }
    });

    it('alerts from the audit log after its cursor: refusals committed while no alerter ran are alerted once, by the next run', async () => {
      const stores = await backend.open();
      try {
        const dependencies = {
          ...dependenciesOf(stores),
          auditEventsAfter: (after: number, limit: number) => stores.store.auditEventsFrom(after + 1, limit),
        };
        const now = Date.now();
        // As if a process committed these and stopped before alerting: the audit log holds them.
        const allowed = {
          ...refusal(now),
          eventId: crypto.randomUUID(),
          outcome: 'allowed' as const,
          reason: null,
        };
        await stores.store.appendAuditEvents([refusal(now), allowed, refusal(now)]);
        const first = await alertRefusalsSinceCursor(dependencies, now);
        assert.deepEqual(
          first.map((n) => [n.recipient, n.kind, n.data.attempts]),
          [[patient, 'access-refused', 1]],
        );
        const through = await stores.notifications.refusalAlertCursor();
        assert.equal(through, (await stores.store.auditEventsFrom(0, 10)).at(-1)?.sequence);
        // Run again (another process, or a restart): nothing is alerted twice, nothing counted twice.
        assert.deepEqual(await alertRefusalsSinceCursor(dependencies, now), []);
        assert.equal(await stores.notifications.refusalAlertCursor(), through);
        await stores.store.appendAuditEvents([refusal(now + refusalAlertWindowMs)]);
        const next = await alertRefusalsSinceCursor(dependencies, now + refusalAlertWindowMs);
        // The second refusal of the first batch waited in the throttle and is counted now.
        assert.deepEqual(
          next.map((n) => n.data.attempts),
          [2],
        );
      } finally {
        await stores.close();
      }
    });

    it('holds across processes sharing the database: one alert between them', async (t) => {
      if (backend.name !== 'PostgreSQL') {
        // SQLite has one writing process; its transactions are serialised in it.
        const stores = await backend.open();
        try {
          const dependencies = dependenciesOf(stores);
          const now = Date.now();
          const results = await Promise.all(
            Array.from({ length: 8 }, () => alertRefusals(dependencies, [refusal(now)], now)),
          );
          assert.equal(results.flat().length, 1);
        } finally {
          await stores.close();
        }
        return;
      }
      const url = await (await sharedTestPostgres()).createDatabase();
      const processes = await Promise.all(Array.from({ length: 4 }, () => openGatewayStores(url)));
      t.after(() => Promise.all(processes.map((stores) => stores.close())));
      const now = Date.now();
      const results = await Promise.all(
        processes.flatMap((stores) =>
          Array.from({ length: 3 }, () => alertRefusals(dependenciesOf(stores), [refusal(now)], now)),
        ),
      );
      const alerts = results.flat();
      assert.equal(alerts.length, 1);
      // The eleven others are counted for the next alert.
      const next = await alertRefusals(
        dependenciesOf(processes[0]!),
        [refusal(now + refusalAlertWindowMs)],
        now + refusalAlertWindowMs,
      );
      assert.deepEqual(
        next.map((n) => n.data.attempts),
        [12],
      );
    });
  });
}
