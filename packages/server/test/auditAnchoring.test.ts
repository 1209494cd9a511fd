/**
 * The verifiable audit log, end to end on a real gateway and a real chain: every access decision
 * lands in the outbox and is anchored on chain in a Merkle batch whose leaves carry per-patient
 * keyed tags; a patient checks its history against the anchored roots, and a gateway database
 * tampered with (an event edited, withheld, reordered, deleted with its leaf, re-tagged) is
 * reported precisely. Other patients recognise none of the leaves that are not theirs.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type AuditTrailReport,
  createGatewayClient,
  type GatewayClient,
  verifyAuditTrail,
} from '@medledger/client';
import { auditAnchorsAbi } from '@medledger/contracts';
import { AccessDeniedError, generateIdentity } from '@medledger/core';
import { createLedgerPublicClient } from '@medledger/ledger';
import { ledgerEndpoint } from '@medledger/ledger-node';
import { openSqlDatabase } from '../src/store/gatewayStores.ts';
import type { SqlRow as Row, SqlDatabase, SqlExecutor } from '../src/store/sqlDatabase.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

let gateway: TestGateway;
let organisationId: number;
let patient: GatewayClient;
let otherPatient: GatewayClient;
let stranger: GatewayClient;
let database: SqlDatabase;

before(async () => {
  gateway = await startTestGateway();
  const admin = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  ({ organisationId } = await admin.createOrganisation({ name: 'Audited Hospital', kind: 'hospital' }));
  const doctor = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  stranger = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  for (const member of [doctor, stranger]) {
    await admin.addMember({
      organisationId,
      member: member.address,
      role: 'doctor',
      encryptionKey: member.identity.encryption.publicKey,
    });
  }
  patient = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  otherPatient = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  await patient.registerPatient({ organisationId });
  await otherPatient.registerPatient({ organisationId });
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
  await waitForAllAnchored();
  // A second batch: reads, a denial, a listing of another patient and of an unregistered address
  // (whose event gets the gateway's fallback tag).
  await doctor.readRecord(recordId);
  await doctor.readRecord(recordId);
  await assert.rejects(stranger.readRecord(recordId), AccessDeniedError);
  await stranger.listRecords(otherPatient.address);
  await stranger.listRecords(generateIdentity().address);
  await waitForAllAnchored();
  database = await openSqlDatabase(gateway.storeLocation);
});

after(async () => {
  await database?.close();
  await gateway?.stop();
});

test('the gateway anchors every decision, allowed and denied, and the patient verifies them against the chain', async () => {
  const report = await verifyAuditTrail(patient);
  assert.equal(report.ok, true, JSON.stringify(report.problems));
  assert.equal(report.events, 4, 'the append, two reads and the denied read');
  assert.equal(report.anchored, report.events);
  assert.equal(report.recognisesOwnLeaves, true);
  assert.equal(report.leaves, Number((await one('SELECT count(*) AS n FROM audit_events')).n));
  assert.ok((await anchoredBatches()) >= 2, 'the events span several batches');
});

test('another patient recognises none of the first patient’s leaves; a non-patient recognises none at all', async () => {
  const other = await verifyAuditTrail(otherPatient);
  assert.equal(other.ok, true, JSON.stringify(other.problems));
  assert.equal(other.events, 1);
  assert.equal(other.recognisesOwnLeaves, true);
  const member = await verifyAuditTrail(stranger);
  assert.equal(member.ok, true, JSON.stringify(member.problems));
  assert.equal(member.recognisesOwnLeaves, false);
  // The fallback-tagged event of the unregistered address is no one's to miss.
  assert.equal(member.leaves, other.leaves);
});

test('an edited event is reported as edited', async () => {
  const [row] = await patientRows("AND outcome = 'denied'");
  assert.ok(row);
  await database.run(`UPDATE audit_events SET outcome = 'allowed' WHERE seq = $seq`, { seq: row.seq! });
  try {
    assert.deepEqual(kindsAt(await verifyAuditTrail(patient)), [['leaf-mismatch', sequenceOf(row)]]);
  } finally {
    await database.run(`UPDATE audit_events SET outcome = 'denied' WHERE seq = $seq`, { seq: row.seq! });
  }
  assert.equal((await verifyAuditTrail(patient)).ok, true, 'restoring the event restores the match');
});

test('an event withheld from the answer while its leaf stays anchored is reported as withheld', async () => {
  const rows = await patientRows();
  const withheld = rows[1]!;
  await database.run('DELETE FROM audit_events WHERE seq = $seq', { seq: withheld.seq! });
  try {
    const report = await verifyAuditTrail(patient);
    assert.equal(report.events, rows.length - 1, 'the gateway gave one event fewer');
    assert.deepEqual(kindsAt(report), [['withheld-event', sequenceOf(withheld)]]);
  } finally {
    await insert(database, withheld);
  }
  assert.equal((await verifyAuditTrail(patient)).ok, true);
});

test('events served at swapped positions are reported as reordered', async () => {
  const [first, , third] = await patientRows();
  assert.ok(first && third);
  await replace(
    [first, third],
    [
      { ...third, seq: first.seq! },
      { ...first, seq: third.seq! },
    ],
  );
  try {
    assert.deepEqual(kindsAt(await verifyAuditTrail(patient)), [
      ['reordered-event', sequenceOf(first)],
      ['reordered-event', sequenceOf(third)],
    ]);
  } finally {
    await replace([first, third], [first, third]);
  }
  assert.equal((await verifyAuditTrail(patient)).ok, true);
});

test('an event deleted with its leaf is reported: the batch no longer matches the chain', async () => {
  const row = (await patientRows())[2]!;
  const sequence = sequenceOf(row);
  const leaf = await one('SELECT * FROM audit_leaves WHERE sequence = $sequence', { sequence });
  await database.run('DELETE FROM audit_events WHERE seq = $seq', { seq: row.seq! });
  await database.run('DELETE FROM audit_leaves WHERE sequence = $sequence', { sequence });
  try {
    const report = await verifyAuditTrail(patient);
    assert.equal(report.ok, false);
    // The batch's leaves no longer cover it, and the patient's other events in it prove nothing.
    assert.ok(
      report.problems.some((p) => p.kind === 'incomplete-leaves'),
      JSON.stringify(report.problems),
    );
  } finally {
    await insert(database, row);
    await database.run('INSERT INTO audit_leaves VALUES ($sequence, $hash, $tag)', {
      sequence: leaf.sequence!,
      hash: leaf.event_hash!,
      tag: leaf.tag!,
    });
  }
  assert.equal((await verifyAuditTrail(patient)).ok, true);
});

test('a withheld event whose leaf is re-tagged to hide it is reported: the root no longer matches', async () => {
  const row = (await patientRows())[3]!;
  const sequence = sequenceOf(row);
  const leaf = await one('SELECT * FROM audit_leaves WHERE sequence = $sequence', { sequence });
  const someoneElses = await one('SELECT tag FROM audit_leaves WHERE sequence <> $sequence LIMIT 1', {
    sequence,
  });
  await database.run('DELETE FROM audit_events WHERE seq = $seq', { seq: row.seq! });
  await database.run('UPDATE audit_leaves SET tag = $tag WHERE sequence = $sequence', {
    tag: someoneElses.tag!,
    sequence,
  });
  try {
    const report = await verifyAuditTrail(patient);
    assert.equal(report.ok, false);
    assert.ok(
      report.problems.some((p) => p.kind === 'root-mismatch'),
      JSON.stringify(report.problems),
    );
  } finally {
    await insert(database, row);
    await database.run('UPDATE audit_leaves SET tag = $tag WHERE sequence = $sequence', {
      tag: leaf.tag!,
      sequence,
    });
  }
  assert.equal((await verifyAuditTrail(patient)).ok, true);
});

test('a batch mined while the gateway did not record it is recovered from the chain', async () => {
  const before = await database.all('SELECT * FROM audit_batches ORDER BY batch_index');
  await database.run('DELETE FROM audit_batches WHERE batch_index = 0');
  const deadline = Date.now() + 10_000;
  while (!(await database.get('SELECT 1 FROM audit_batches WHERE batch_index = 0'))) {
    assert.ok(Date.now() < deadline, 'the anchorer did not recover batch 0 within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(await database.all('SELECT * FROM audit_batches ORDER BY batch_index'), before);
  assert.equal((await verifyAuditTrail(patient)).ok, true);
});

/** The patient's event rows, oldest first. */
function patientRows(condition = ''): Promise<Row[]> {
  return database.all(`SELECT * FROM audit_events WHERE patient = $patient ${condition} ORDER BY seq`, {
    patient: patient.address.toLowerCase(),
  });
}

async function one(sql: string, params: Row = {}): Promise<Row> {
  const row = await database.get(sql, params);
  assert.ok(row, sql);
  return row;
}

/** The row's position in the log (`seq` counts from 1). */
function sequenceOf(row: Row): number {
  return Number(row.seq) - 1;
}

async function insert(into: SqlExecutor, row: Row): Promise<void> {
  const columns = Object.keys(row);
  await into.run(
    `INSERT INTO audit_events (${columns.join(', ')}) VALUES (${columns.map((column) => `$${column}`).join(', ')})`,
    row,
  );
}

/** Replaces rows at once (event ids are unique, so a swap cannot be done row by row). */
function replace(old: Row[], rows: Row[]): Promise<void> {
  return database.transaction(async (transaction) => {
    for (const row of old)
      await transaction.run('DELETE FROM audit_events WHERE seq = $seq', { seq: row.seq! });
    for (const row of rows) await insert(transaction, row);
  });
}

function kindsAt(report: AuditTrailReport): [string, number | undefined][] {
  assert.equal(report.ok, false);
  return report.problems.map((problem) => [problem.kind, problem.sequence]);
}

async function anchoredBatches(): Promise<number> {
  return Number((await one('SELECT count(*) AS n FROM audit_batches')).n);
}

async function waitForAllAnchored(): Promise<void> {
  const chain = createLedgerPublicClient(ledgerEndpoint(gateway.rpcUrl), gateway.chainId);
  const counter = await openSqlDatabase(gateway.storeLocation);
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const written = Number((await counter.get('SELECT count(*) AS n FROM audit_events'))?.n);
      const next = await chain.readContract({
        address: gateway.deployment.auditAnchors,
        abi: auditAnchorsAbi,
        functionName: 'nextSequence',
        args: [organisationId],
      });
      if (written > 0 && next >= BigInt(written)) return;
      if (Date.now() > deadline)
        throw new Error(`only ${next} of ${written} audit events anchored after 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await counter.close();
  }
}
