/**
 * Notifications through a real gateway: live over server-sent events, kept while the recipient is
 * away and delivered when it reconnects (also across a gateway restart), never with health content.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createGatewayClient,
  type GatewayClient,
  type Notification,
  readEventStream,
} from '@medledger/client';
import { type Consortium, foundConsortium, newMember, newPatient, signIn } from './helpers/actors.ts';
import { allergy, eventually } from './helpers/emergencies.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';
import { labResult } from './helpers/records.ts';

/** Follows a client's notifications in the background, keeping what arrives. */
function follow(client: GatewayClient, after?: number) {
  const controller = new AbortController();
  const received: Notification[] = [];
  let failure: unknown;
  const done = (async () => {
    for await (const notification of client.followNotifications({
      signal: controller.signal,
      retryMs: 200,
      ...(after === undefined ? {} : { after }),
    })) {
      received.push(notification);
    }
  })().catch((error: unknown) => {
    failure = error;
  });
  return {
    received,
    /** Resolves with the first notification received that matches. */
    waitFor(kind: string, match: (data: Notification['data']) => boolean = () => true) {
      return eventually(async () => {
        if (failure) throw failure;
        return received.find((notification) => notification.kind === kind && match(notification.data));
      }, `a ${kind} notification`);
    },
    async stop() {
      controller.abort();
      await done;
      if (failure) throw failure;
    },
  };
}

const reason = 'Pre-operative review of the cardiac history';
const justification = 'Unresponsive on arrival after a road accident';

describe('notifications', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let dataDir: string;

  before(async () => {
    // A data directory of our own, so the gateway can be restarted on it.
    dataDir = await mkdtemp(join(tmpdir(), 'medledger-notifications-'));
    gateway = await startTestGateway({ dataDir });
    consortium = await foundConsortium(gateway.url);
  });
  after(async () => {
    await gateway.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('arrive live over server-sent events: requests to the patient, answers to the requester', async () => {
    const [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    const patientStream = follow(patient);
    const doctorStream = follow(doctor);
    try {
      const { requestId } = await doctor.requestAccess({
        patient: patient.address,
        categories: ['lab'],
        reason,
      });
      const requested = await patientStream.waitFor('access-requested');
      assert.deepEqual(
        { ...requested.data, blockNumber: undefined },
        {
          requestId,
          requester: doctor.address,
          categories: ['lab'],
          actions: ['read'],
          blockNumber: undefined,
        },
      );
      const { grantId } = await patient.approveAccessRequest(requestId, { expiresInSeconds: 600 });
      const approved = await doctorStream.waitFor('access-request-approved');
      assert.deepEqual([approved.data.requestId, approved.data.grantId], [requestId, grantId]);

      const second = await doctor.requestAccess({ patient: patient.address, categories: ['vitals'], reason });
      await patient.denyAccessRequest(second.requestId);
      const denied = await doctorStream.waitFor('access-request-denied');
      assert.deepEqual(denied.data, {
        requestId: second.requestId,
        patient: patient.address,
        blockNumber: denied.data.blockNumber,
      });
      // Ids increase, each notification once.
      const ids = patientStream.received.map((notification) => notification.id);
      assert.deepEqual(
        ids,
        [...new Set(ids)].sort((a, b) => a - b),
      );
    } finally {
      await Promise.all([patientStream.stop(), doctorStream.stop()]);
    }
  });

  it('are sent as text/event-stream with ids, after Last-Event-ID, to the signed-in identity only', async () => {
    const [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    await doctor.requestAccess({ patient: patient.address, categories: ['lab'], reason });
    await doctor.requestAccess({ patient: patient.address, categories: ['vitals'], reason });
    const [first, second] = (
      await eventually(async () => {
        const { notifications } = await patient.notifications();
        return notifications.length === 2 ? notifications : undefined;
      }, 'two notifications')
    ).map((notification) => notification.id);

    const token = await signIn(gateway.url, patient.identity);
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/api/notifications/stream`, {
      headers: { authorization: `Bearer ${token}`, 'last-event-id': String(first) },
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = readEventStream(response.body!);
    const { value } = await events.next();
    assert.deepEqual([value?.id, value?.event], [String(second), 'notification']);
    assert.equal((JSON.parse(value!.data) as Notification).kind, 'access-requested');
    controller.abort();
    await events.return(undefined);

    assertError(await call(gateway.url, 'GET', '/api/notifications/stream'), 401, 'unauthenticated');
    assertError(await call(gateway.url, 'GET', '/api/notifications'), 401, 'unauthenticated');
    const badId = await call(gateway.url, 'GET', '/api/notifications/stream', {
      token,
      headers: { 'last-event-id': 'yesterday' },
    });
    assertError(badId, 400, 'invalid_input');
    assertError(
      await call(gateway.url, 'GET', '/api/notifications?after=-1', { token }),
      400,
      'invalid_input',
    );
    // The doctor sees none of the patient's notifications.
    assert.deepEqual((await doctor.notifications()).notifications, []);
  });

  it('wait while the recipient is away and arrive on reconnect, once each, in order', async () => {
    const [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    await consortium.admin.setEmergencyPrivilege(doctor.address, true);
    const online = follow(patient);
    await doctor.requestAccess({ patient: patient.address, categories: ['lab'], reason });
    const seen = await online.waitFor('access-requested');
    await online.stop();

    // While the patient is away: a record in its chart, reads under its grant, an emergency.
    await patient.grantConsent({
      grantee: doctor.address,
      categories: ['lab'],
      actions: ['read', 'append'],
      expiresInSeconds: 600,
    });
    const { recordId } = await doctor.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
    });
    await doctor.readRecord(recordId);
    await doctor.readRecord(recordId);
    const emergency = await doctor.declareEmergency({
      patient: patient.address,
      reason: 'unconscious',
      justification,
    });

    const back = follow(patient, seen.id);
    try {
      await back.waitFor('emergency-declared');
      const describe = (notification: Notification) =>
        `${notification.kind}${notification.data.action ? `:${notification.data.action}` : ''}`;
      assert.deepEqual(back.received.map(describe).sort(), [
        'emergency-declared',
        'grant-used:append',
        'grant-used:read',
        'record-added',
      ]);
      const ids = back.received.map((notification) => notification.id);
      assert.ok(
        ids.every((id, index) => id > (ids[index - 1] ?? seen.id)),
        'after the last seen, in order',
      );
      const byKind = (kind: string) => back.received.find((notification) => describe(notification) === kind);
      const added = byKind('record-added');
      assert.deepEqual(
        [added?.data.recordId, added?.data.author, added?.data.category],
        [recordId, doctor.address, 'lab'],
      );
      const used = byKind('grant-used:read');
      assert.deepEqual(
        [used?.data.actor, used?.data.category, used?.data.recordId],
        [doctor.address, 'lab', recordId],
      );
      const declared = byKind('emergency-declared');
      assert.deepEqual(
        [declared?.data.emergencyId, declared?.data.member],
        [emergency.emergencyId, doctor.address],
      );
      // Three reads under the grant, one notification.
      await doctor.readRecord(recordId);
      const all = (await patient.notifications()).notifications.filter(
        (notification) => describe(notification) === 'grant-used:read',
      );
      assert.equal(all.length, 1);
    } finally {
      await back.stop();
    }
  });

  it('tell the patient and the organisation’s admins of an emergency, and the member of the review', async () => {
    const [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    await consortium.admin.setEmergencyPrivilege(doctor.address, true);
    const patientStream = follow(patient);
    try {
      const emergency = await doctor.declareEmergency({
        patient: patient.address,
        reason: 'life-threatening',
        justification,
      });
      const declared = await patientStream.waitFor(
        'emergency-declared',
        (data) => data.emergencyId === emergency.emergencyId,
      );
      assert.deepEqual(
        { ...declared.data, blockNumber: undefined },
        {
          emergencyId: emergency.emergencyId,
          patient: patient.address,
          member: doctor.address,
          organisationId: consortium.organisationId,
          categories: ['condition', 'medication', 'allergy', 'emergency'],
          declaredAt: emergency.declaredAt,
          expiresAt: emergency.expiresAt,
          blockNumber: undefined,
        },
      );
      const adminNotifications = (await consortium.admin.notifications()).notifications;
      assert.ok(
        adminNotifications.some(
          (notification) =>
            notification.kind === 'emergency-declared' &&
            notification.data.emergencyId === emergency.emergencyId,
        ),
        'the admin is told',
      );
      await consortium.admin.reviewEmergency(emergency.emergencyId, 'justified');
      const reviewed = await eventually(
        async () =>
          (await doctor.notifications()).notifications.find(
            (notification) => notification.kind === 'emergency-reviewed',
          ),
        'the review notification',
      );
      assert.equal(reviewed.data.verdict, 'justified');
      assert.ok(
        (await doctor.notifications()).notifications.some(
          (notification) =>
            notification.kind === 'emergency-privilege-set' && notification.data.privileged === true,
        ),
      );
      await patientStream.waitFor('emergency-reviewed');
    } finally {
      await patientStream.stop();
    }
  });

  it('carry no health content', async () => {
    const patient = await newPatient(gateway.url, consortium);
    const doctor = await newMember(gateway.url, consortium);
    await consortium.admin.setEmergencyPrivilege(doctor.address, true);
    await patient.grantConsent({
      grantee: doctor.address,
      categories: ['allergy'],
      actions: ['append', 'read'],
      expiresInSeconds: 600,
    });
    const { recordId } = await doctor.addRecord({
      patient: patient.address,
      category: 'allergy',
      resource: allergy(),
    });
    await doctor.readRecord(recordId);
    await doctor.requestAccess({ patient: patient.address, categories: ['lab'], reason });
    await doctor.declareEmergency({ patient: patient.address, reason: 'unconscious', justification });
    const all = await eventually(async () => {
      const { notifications } = await patient.notifications();
      return notifications.length >= 4 ? notifications : undefined;
    }, 'the notifications');
    const text = JSON.stringify(all);
    for (const secret of [
      reason,
      justification,
      'penicillin',
      'Haemoglobin',
      'unconscious',
      'AllergyIntolerance',
    ]) {
      assert.ok(!text.includes(secret), `"${secret}" leaked into a notification`);
    }
    for (const notification of all) {
      for (const value of Object.values(notification.data)) {
        const values = Array.isArray(value) ? value : [value];
        for (const item of values) {
          assert.ok(
            item === null ||
              typeof item === 'number' ||
              typeof item === 'boolean' ||
              /^(0x[0-9a-f]+|[a-z-]+)$/.test(String(item)),
            `unexpected value ${JSON.stringify(item)} in a ${notification.kind} notification`,
          );
        }
      }
    }
  });

  it('survive a restart of the gateway, and a follower picks up where it left off', async () => {
    const [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    const stream = follow(patient);
    try {
      await doctor.requestAccess({ patient: patient.address, categories: ['lab'], reason });
      await stream.waitFor('access-requested');
      const port = Number(new URL(gateway.url).port);
      await gateway.stop();
      gateway = await startTestGateway({ dataDir, port });
      const restartedDoctor = createGatewayClient({ url: gateway.url, identity: doctor.identity });
      const second = await restartedDoctor.requestAccess({
        patient: patient.address,
        categories: ['vitals'],
        reason,
      });
      await stream.waitFor('access-requested', (data) => data.requestId === second.requestId);
      assert.equal(stream.received.length, 2, 'nothing twice');
      const stored = (await patient.notifications()).notifications.map((notification) => notification.kind);
      assert.deepEqual(stored, ['access-requested', 'access-requested']);
    } finally {
      await stream.stop();
    }
  });
});
