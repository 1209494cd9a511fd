/** The notification operations, called without HTTP on a real gateway (anvil + SQLite). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Notification } from '@medledger/api';
import { feedStart, followNotifications, listNotifications } from '../../src/operations/notifications.ts';
import { type Consortium, foundConsortium, newMember, newPatient } from '../helpers/actors.ts';
import { eventually } from '../helpers/emergencies.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { sessionOf } from '../helpers/sessions.ts';

const reason = 'Pre-operative review of the cardiac history';

describe('notification operations', () => {
  let gateway: TestGateway;
  let consortium: Consortium;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
  });
  after(() => gateway.stop());

  /** A patient and a doctor who asked it for access `requests` times (one notification each). */
  async function patientWithRequests(requests: number) {
    const [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    for (let index = 0; index < requests; index++) {
      await doctor.requestAccess({ patient: patient.address, categories: ['lab'], reason });
    }
    const stored = await eventually(async () => {
      const { notifications } = await listNotifications(gateway.services, sessionOf(patient), {});
      return notifications.length === requests ? notifications : undefined;
    }, `${requests} notifications`);
    return { patient, doctor, stored };
  }

  it('lists the caller’s notifications only, after an id, a page at a time', async () => {
    const { patient, doctor, stored } = await patientWithRequests(2);
    const [first, second] = stored;
    assert.ok(first && second && first.id < second.id);
    assert.equal(first.kind, 'access-requested');
    assert.deepEqual(first.data.requester, doctor.address);
    assert.ok(!Number.isNaN(Date.parse(first.createdAt)));
    const session = sessionOf(patient);
    assert.deepEqual(await listNotifications(gateway.services, session, { limit: '1' }), {
      notifications: [first],
    });
    assert.deepEqual(await listNotifications(gateway.services, session, { after: String(first.id) }), {
      notifications: [second],
    });
    assert.deepEqual(await listNotifications(gateway.services, sessionOf(doctor), {}), { notifications: [] });
  });

  it('follows: the stored ones after an id, then the new ones, in order and once each', async () => {
    const { patient, doctor, stored } = await patientWithRequests(2);
    const received: Notification[] = [];
    let ended = false;
    const feed = followNotifications(gateway.services, sessionOf(patient), stored[0]!.id, {
      send: (notification) => received.push(notification),
      end: () => {
        ended = true;
      },
    });
    try {
      await eventually(async () => (received.length === 1 ? true : undefined), 'the stored notification');
      assert.deepEqual(received, [stored[1]]);
      await doctor.requestAccess({ patient: patient.address, categories: ['vitals'], reason });
      await eventually(async () => (received.length === 2 ? true : undefined), 'the live notification');
      assert.equal(received[1]?.kind, 'access-requested');
      assert.ok(received[1]!.id > stored[1]!.id);
      assert.equal(ended, false);
    } finally {
      feed.close();
    }
  });

  it('ends the feed when the session expires', async () => {
    const { patient } = await patientWithRequests(0);
    let ended = false;
    followNotifications(gateway.services, sessionOf(patient, 200), 0, {
      send: () => undefined,
      end: () => {
        ended = true;
      },
    });
    await eventually(async () => (ended ? true : undefined), 'the end of the feed');
  });

  it('resumes after Last-Event-ID before `after`, and refuses one that is not an id', () => {
    assert.equal(feedStart('12', '3'), 12);
    assert.equal(feedStart(undefined, '3'), 3);
    assert.equal(feedStart(undefined, undefined), 0);
    assert.throws(() => feedStart('yesterday', undefined), {
      code: 'invalid_input',
      reason: 'invalid_last_event_id',
    });
  });
});
