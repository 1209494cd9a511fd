/**
 * The notification actions against a real gateway: the stored list, and the live stream that
 * resumes after the last notification it delivered. Also the server-sent events parser.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  denyAccessRequest,
  followNotifications,
  type GatewayClient,
  type Notification,
  notifications,
  readEventStream,
  requestAccess,
  type ServerSentEvent,
} from '@medledger/client';
import { UnauthenticatedError } from '@medledger/core';
import {
  type Consortium,
  eventually,
  foundConsortium,
  newMember,
  newPatient,
  rejectsWith,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

/** Follows `client`'s notifications in the background, keeping what arrives. */
function follow(client: GatewayClient, after?: number) {
  const controller = new AbortController();
  const received: Notification[] = [];
  let failure: unknown;
  const done = (async () => {
    const options = { signal: controller.signal, retryMs: 100, ...(after === undefined ? {} : { after }) };
    for await (const notification of followNotifications(client, options)) received.push(notification);
  })().catch((error: unknown) => {
    failure = error;
  });
  return {
    received,
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

describe('notification actions', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let patient: GatewayClient;
  let doctor: GatewayClient;

  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
    [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
  });
  after(() => gateway.stop());

  it('notifications: the stored notifications after an id, oldest first, at most `limit`', async () => {
    const first = await requestAccess(doctor, {
      patient: patient.address,
      categories: ['lab'],
      reason: 'Review',
    });
    const second = await requestAccess(doctor, { patient: patient.address, categories: ['vitals'] });
    const all = await eventually(async () => {
      const { notifications: stored } = await notifications(patient);
      return stored.filter((n) => n.kind === 'access-requested').length >= 2 ? stored : undefined;
    }, 'two access-requested notifications');
    const requested = all.filter((n) => n.kind === 'access-requested');
    assert.deepEqual(
      requested.map((n) => n.data.requestId),
      [first.requestId, second.requestId],
    );
    // No health content: the reason stays in the request.
    assert.ok(!JSON.stringify(requested).includes('Review'));
    const [firstNotification] = requested;
    const page = await notifications(patient, { after: firstNotification!.id, limit: 1 });
    assert.equal(page.notifications.length, 1);
    assert.equal(page.notifications[0]!.data.requestId, second.requestId);
    assert.deepEqual((await notifications(doctor)).notifications, []);
  });

  it('followNotifications: stored ones first, then live ones, each once; resumes after a given id', async () => {
    const stream = follow(doctor);
    try {
      const { requestId } = await requestAccess(doctor, { patient: patient.address, categories: ['note'] });
      await denyAccessRequest(patient, requestId);
      const denied = await stream.waitFor('access-request-denied', (data) => data.requestId === requestId);
      assert.equal(denied.data.patient, patient.address);
      const ids = stream.received.map((n) => n.id);
      assert.deepEqual(
        ids,
        [...new Set(ids)].sort((a, b) => a - b),
      );
    } finally {
      await stream.stop();
    }
    // From a later id on, the earlier notifications are not delivered again.
    const [latest] = (await notifications(patient)).notifications.slice(-1);
    const resumed = follow(patient, latest!.id - 1);
    try {
      const only = await resumed.waitFor(latest!.kind);
      assert.equal(only.id, latest!.id);
      assert.deepEqual(
        resumed.received.map((n) => n.id),
        [latest!.id],
      );
    } finally {
      await resumed.stop();
    }
  });

  it('followNotifications: a session the gateway keeps refusing ends the stream with the typed error', async () => {
    const member = await newMember(gateway.url, consortium);
    // A transport whose session is no token at all: the stream signs in again once, is refused
    // again, and gives up with the gateway's error rather than retrying for ever.
    const broken = {
      ...member,
      signIn: async () => ({
        token: 'not-a-token',
        expiresAt: Date.now() + 60_000,
        idleTimeoutSeconds: 900,
        usedAt: Date.now(),
      }),
    };
    await rejectsWith(followNotifications(broken).next(), UnauthenticatedError, 'session_missing');
  });
});

describe('readEventStream', () => {
  const streamOf = (...chunks: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
  const all = async (body: ReadableStream<Uint8Array>) => {
    const events: ServerSentEvent[] = [];
    for await (const event of readEventStream(body)) events.push(event);
    return events;
  };

  it('parses events split across chunks, joins data lines, skips comments and data-less blocks', async () => {
    const events = await all(
      streamOf(
        ': keep-alive\n\nid: 7\nevent: notif',
        'ication\ndata: {"a":\ndata: 1}\n\r\n',
        'retry: 5\n\ndata: x\n\n',
      ),
    );
    assert.deepEqual(events, [
      { id: '7', event: 'notification', data: '{"a":\n1}' },
      { event: 'message', data: 'x' },
    ]);
  });
});
