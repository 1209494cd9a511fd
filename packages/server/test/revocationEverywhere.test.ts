/**
 * A revocation is effective at every custodian at once. Three hospitals, record keys split 2 of 3
 * (the demo consortium); a doctor keeps many share requests in flight at all three gateways while
 * the patient revokes its consent. No gateway may release a share for a request sent after the
 * patient was told the revocation is done. Prints how long the revocation took to be acknowledged
 * and when the last share was released relative to the acknowledgement.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { generateIdentity } from '@medledger/core';
import type { Hex } from 'viem';
import { startTestConsortium, type TestConsortium } from './helpers/gateway.ts';
import { labResult } from './helpers/records.ts';

/** Requests in flight at each gateway. */
const inFlightPerGateway = 12;
/** Answers before the revocation, and requests sent after its acknowledgement, at the least. */
const readsBefore = 500;
const readsAfter = 600;

let consortium: TestConsortium;
let doctor: GatewayClient;
let patient: GatewayClient;
let recordId: Hex;
let grantId: number;

before(async () => {
  consortium = await startTestConsortium({ hospitals: 3, threshold: 2 });
  const [gateway] = consortium.gateways;
  doctor = createGatewayClient({ url: gateway!.url, identity: generateIdentity() });
  await consortium.admins[0]!.addMember({
    organisationId: 1,
    member: doctor.address,
    role: 'doctor',
    encryptionKey: doctor.identity.encryption.publicKey,
  });
  patient = createGatewayClient({ url: gateway!.url, identity: generateIdentity() });
  await patient.registerPatient({ organisationId: 1 });
  ({ grantId } = await patient.grantConsent({
    grantee: doctor.address,
    categories: ['lab'],
    actions: ['read', 'append'],
    expiresInSeconds: 3600,
  }));
  ({ recordId } = await doctor.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: labResult(),
  }));
});

after(() => consortium.stop());

interface Outcome {
  gateway: number;
  /** performance.now() just before the request was sent, and when its answer was read. */
  sentAt: number;
  answeredAt: number;
  status: number;
  /** Whether the answer carried key material: a share (or a whole key). */
  released: boolean;
}

test('no gateway releases a share for a request sent after the revocation was acknowledged', {
  timeout: 300_000,
}, async (t) => {
  const gateways = consortium.gateways.map((gateway) => gateway.url);
  // Signed in at every gateway beforehand, so that every request below is a share request only.
  const tokens = await Promise.all(
    gateways.map(
      async (url) => (await createGatewayClient({ url, identity: doctor.identity }).signIn()).token,
    ),
  );
  await patient.signIn();

  const outcomes: Outcome[] = [];
  const progress = new EventEmitter();
  let stopped = false;
  const until = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!condition()) return;
        progress.off('outcome', check);
        resolve();
      };
      progress.on('outcome', check);
      check();
    });

  async function readContinuously(gateway: number): Promise<void> {
    const url = `${gateways[gateway]}/api/records/${recordId}/access`;
    const headers = { authorization: `Bearer ${tokens[gateway]}`, 'content-type': 'application/json' };
    while (!stopped) {
      const sentAt = performance.now();
      const response = await fetch(url, { method: 'POST', headers, body: '{}' });
      const body = (await response.json()) as { sealedShare?: unknown; sealedKey?: unknown };
      outcomes.push({
        gateway,
        sentAt,
        answeredAt: performance.now(),
        status: response.status,
        released: Boolean(body.sealedShare || body.sealedKey),
      });
      progress.emit('outcome');
    }
  }

  const readers = gateways.flatMap((_, gateway) =>
    Array.from({ length: inFlightPerGateway }, () => readContinuously(gateway)),
  );
  let revokeStart = Number.POSITIVE_INFINITY;
  let acknowledgedAt = Number.POSITIVE_INFINITY;
  try {
    await until(() => outcomes.length >= readsBefore);
    revokeStart = performance.now();
    await patient.revokeConsent(grantId);
    acknowledgedAt = performance.now();
    await until(() => outcomes.filter((o) => o.sentAt > acknowledgedAt).length >= readsAfter);
  } finally {
    stopped = true;
    await Promise.all(readers);
  }

  const sentAfter = outcomes.filter((o) => o.sentAt > acknowledgedAt);
  const violations = sentAfter.filter((o) => o.released || o.status !== 403);
  const allowed = outcomes.filter((o) => o.released);
  const lastAllowed = allowed.reduce((last, o) => (o.answeredAt > last.answeredAt ? o : last));
  const firstDenied = outcomes
    .filter((o) => o.status === 403)
    .reduce((first, o) => (o.answeredAt < first.answeredAt ? o : first));
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const figures = [
    `reads: ${outcomes.length} in total at ${gateways.length} gateways, ${inFlightPerGateway * gateways.length} in flight; ` +
      `${sentAfter.length} sent after the acknowledgement; violations: ${violations.length}`,
    `revocation: call to acknowledgement ${ms(acknowledgedAt - revokeStart)}`,
    `last share released: answered ${ms(lastAllowed.answeredAt - acknowledgedAt)} after the acknowledgement, ` +
      `sent ${ms(lastAllowed.sentAt - acknowledgedAt)} after it (gateway ${lastAllowed.gateway + 1})`,
    `first refusal: answered ${ms(firstDenied.answeredAt - revokeStart)} after the revoke call started`,
    `per gateway (allowed / denied): ${gateways
      .map((_, g) => {
        const own = outcomes.filter((o) => o.gateway === g);
        return `${own.filter((o) => o.released).length} / ${own.filter((o) => o.status === 403).length}`;
      })
      .join(', ')}`,
  ];
  for (const line of figures) {
    t.diagnostic(line);
    console.log(`revocation window: ${line}`);
  }

  assert.ok(outcomes.length >= readsBefore + readsAfter);
  assert.ok(
    outcomes.filter((o) => o.sentAt < revokeStart && o.released).length >= readsBefore / 2,
    'shares were released before the revocation',
  );
  for (let gateway = 0; gateway < gateways.length; gateway++) {
    assert.ok(
      sentAfter.some((o) => o.gateway === gateway),
      `gateway ${gateway + 1} was asked after the revocation`,
    );
  }
  assert.deepEqual(
    violations.map((o) => ({
      gateway: o.gateway + 1,
      status: o.status,
      sentAfterMs: o.sentAt - acknowledgedAt,
    })),
    [],
    'a share was released (or not refused) for a request sent after the revocation was acknowledged',
  );
  // Every request sent before the revocation started was answered with a share.
  assert.ok(outcomes.filter((o) => o.answeredAt < revokeStart).every((o) => o.released));
});
