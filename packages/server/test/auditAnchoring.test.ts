/**
 * The verifiable audit log: every access decision lands in the outbox, is anchored on chain in a
 * Merkle batch by the organisation's gateway relayer, and a patient checks its history against the
 * anchored roots; an edited or deleted event in the gateway's database is reported.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import { createGatewayClient, type GatewayClient, verifyAuditTrail } from '@medledger/client';
import { auditAnchorsAbi } from '@medledger/contracts';
import { AccessDeniedError, generateIdentity } from '@medledger/core';
import { createPublicClient, http } from 'viem';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

let gateway: TestGateway;
let patient: GatewayClient;
let database: DatabaseSync;

before(async () => {
  gateway = await startTestGateway();
  const admin = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  const { organisationId } = await admin.createOrganisation({ name: 'Audited Hospital', kind: 'hospital' });
  const doctor = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  const stranger = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  for (const member of [doctor, stranger]) {
    await admin.addMember({
      organisationId,
      member: member.address,
      role: 'doctor',
      encryptionKey: member.identity.encryption.publicKey,
    });
  }
  patient = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  await patient.registerPatient({ organisationId });
  await patient.grantConsent({
    grantee: doctor.address,
    categories: ['lab'],
    actions: ['read', 'append'],
    expiresInSeconds: 3600,
  });
  const { recordId } = await doctor.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: { resourceType: 'Observation', status: 'final', code: { text: 'Potassium' } },
  });
  await doctor.readRecord(recordId);
  await assert.rejects(stranger.readRecord(recordId), AccessDeniedError);
  await waitForAnchors(organisationId, 3);
  database = new DatabaseSync(join(gateway.dataDir, 'gateway.sqlite'));
});

after(async () => {
  database?.close();
  await gateway?.stop();
});

test('the gateway anchors every decision, allowed and denied, and the patient verifies them against the chain', async () => {
  const report = await verifyAuditTrail(patient);
  assert.equal(report.ok, true, JSON.stringify(report.problems));
  assert.ok(report.events >= 3, 'append, read and the denied read');
  assert.equal(report.anchored, report.events);
});

test('an edited event in the gateway’s database is reported', async () => {
  const [row] = database
    .prepare(`SELECT seq, outcome FROM audit_events WHERE outcome = 'denied' LIMIT 1`)
    .all() as {
    seq: number;
    outcome: string;
  }[];
  assert.ok(row);
  database.prepare(`UPDATE audit_events SET outcome = 'allowed' WHERE seq = ?`).run(row.seq);
  try {
    const report = await verifyAuditTrail(patient);
    assert.equal(report.ok, false);
    assert.ok(report.problems.length > 0);
  } finally {
    database.prepare(`UPDATE audit_events SET outcome = 'denied' WHERE seq = ?`).run(row.seq);
  }
  assert.equal((await verifyAuditTrail(patient)).ok, true, 'restoring the event restores the match');
});

test('a deleted event is reported', async () => {
  const [row] = database
    .prepare('SELECT * FROM audit_events WHERE patient = ? ORDER BY seq LIMIT 1')
    .all(patient.address.toLowerCase()) as Record<string, string | number | null>[];
  assert.ok(row);
  database.prepare('DELETE FROM audit_events WHERE seq = ?').run(row.seq as number);
  const report = await verifyAuditTrail(patient);
  assert.equal(report.ok, false);
  assert.ok(report.problems.length > 0, 'the deletion is seen');
});

async function waitForAnchors(organisationId: number, atLeast: number): Promise<void> {
  const chain = createPublicClient({ transport: http(gateway.rpcUrl) });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const next = await chain.readContract({
      address: gateway.deployment.auditAnchors,
      abi: auditAnchorsAbi,
      functionName: 'nextSequence',
      args: [organisationId],
    });
    if (next >= BigInt(atLeast)) return;
    if (Date.now() > deadline) throw new Error(`only ${next} audit events anchored after 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
