/**
 * "Acknowledged means anchored" for audit events, with real processes: a gateway (`medledger
 * start --rpc`, anchoring only once an hour) answers access decisions, allowed and denied, from
 * several clients at once, and is killed with SIGKILL while requests are still under way and
 * before any of its audit events has been anchored. Restarted on the same data directory, it
 * anchors its outbox at once, and every decision that was answered is in the patient's history,
 * anchored, and verifies against the chain. Then `medledger audit --verify` itself: it passes, and
 * fails (exit 1, naming the event) once the gateway's database loses one of the patient's events.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import { createGatewayClient, type GatewayClient, verifyAuditTrail } from '@medledger/client';
import { auditAnchorsAbi } from '@medledger/contracts';
import { AccessDeniedError, generateIdentity } from '@medledger/core';
import { createLedgerPublicClient } from '@medledger/ledger';
import { type EmbeddedChain, ledgerEndpoint, startEmbeddedChain } from '@medledger/ledger-node';
import type { Address, Hex } from 'viem';
import { createKeyFile } from '../src/keyFile.ts';
import { labObservation } from './helpers/people.ts';
import {
  cleanUp,
  cliFor,
  type GatewayProcess,
  sleep,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

/** Long enough that nothing is anchored by the timer while the test runs. */
const anchorEverySeconds = '3600';

let chain: EmbeddedChain;
let directory: string;
let gateway: GatewayProcess;
let organisationId: number;
let doctor: GatewayClient;
let stranger: GatewayClient;
let patient: GatewayClient;
let recordId: Hex;
let auditAnchors: Address;
let patientKeyFile: string;

before(async () => {
  directory = await temporaryDirectory('audit-outbox');
  chain = await startEmbeddedChain({ directory: join(directory, 'chain') });
  gateway = await startGatewayProcess({
    dataDir: join(directory, 'hospital'),
    rpcUrl: chain.rpcUrl,
    args: ['--audit-anchor-interval', anchorEverySeconds],
  });
  const admin = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  ({ organisationId } = await admin.createOrganisation({ name: 'Hospital', kind: 'hospital' }));
  auditAnchors = (await admin.ledger()).contracts.auditAnchors;
  doctor = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  stranger = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  for (const member of [doctor, stranger]) {
    await admin.addMember({
      organisationId,
      member: member.address,
      role: 'doctor',
      encryptionKey: member.identity.encryption.publicKey,
    });
  }
  patientKeyFile = join(directory, 'patient.json');
  patient = createGatewayClient({ url: gateway.url, identity: await createKeyFile(patientKeyFile) });
  await patient.registerPatient({ organisationId });
  await patient.grantConsent({
    grantee: doctor.address,
    categories: ['lab'],
    actions: ['read', 'append'],
    expiresInSeconds: 3600,
  });
  ({ recordId } = await doctor.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: labObservation(patient.address, 98),
  }));
});

after(async () => {
  await cleanUp();
  await chain?.stop();
});

test('kill -9 after decisions were answered and before they were anchored: after a restart every answered decision is anchored and verifies', async () => {
  // Four clients decide at once, the stranger's reads denied; the gateway is killed as soon as
  // 40 decisions have been answered, with the other requests in flight.
  const answered = { allowed: 1, denied: 0 }; // the doctor's append, answered above
  let killed: Promise<unknown> | undefined;
  const worker = async (client: GatewayClient) => {
    while (!killed) {
      let outcome: 'allowed' | 'denied';
      try {
        await client.accessRecord(recordId);
        outcome = 'allowed';
      } catch (error) {
        if (!(error instanceof AccessDeniedError)) return; // no answer: the gateway is gone
        outcome = 'denied';
      }
      if (killed) return; // answered once the kill was decided: not counted (the check is a lower bound)
      answered[outcome]++;
      if (answered.allowed + answered.denied >= 40) killed = gateway.stop('SIGKILL');
    }
  };
  const clients = [doctor, doctor, stranger, stranger].map((client) =>
    createGatewayClient({ url: gateway.url, identity: client.identity }),
  );
  await Promise.all(clients.map(worker));
  const exit = await killed;
  assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
  assert.ok(answered.denied > 0 && answered.allowed > 1, JSON.stringify(answered));
  assert.equal(await anchoredCount(), 0n, 'nothing was anchored before the kill');

  // Restarted with the same hour-long interval: the outbox is anchored at start.
  gateway = await startGatewayProcess({
    dataDir: join(directory, 'hospital'),
    rpcUrl: chain.rpcUrl,
    port: Number(new URL(gateway.url).port),
    args: ['--audit-anchor-interval', anchorEverySeconds],
  });
  const client = createGatewayClient({ url: gateway.url, identity: patient.identity });
  const deadline = Date.now() + 30_000;
  let report = await verifyAuditTrail(client);
  while (report.awaitingAnchor > 0 || report.events === 0) {
    assert.ok(Date.now() < deadline, `${report.awaitingAnchor} events still awaiting anchoring after 30 s`);
    await sleep(250);
    report = await verifyAuditTrail(client);
  }
  assert.equal(report.ok, true, JSON.stringify(report.problems));
  assert.equal(report.recognisesOwnLeaves, true);

  // Every answered decision is in the anchored history (requests cut off by the kill may be too).
  const { events } = await client.audit();
  const count = (actor: string, outcome: string) =>
    events.filter((e) => e.actor.toLowerCase() === actor.toLowerCase() && e.outcome === outcome).length;
  assert.ok(
    count(doctor.address, 'allowed') >= answered.allowed,
    JSON.stringify({ answered, events: events.length }),
  );
  assert.ok(
    count(stranger.address, 'denied') >= answered.denied,
    JSON.stringify({ answered, events: events.length }),
  );
  assert.equal(report.anchored, events.length);
  assert.ok((await anchoredCount()) >= BigInt(events.length));
});

test('medledger audit --verify: the history matches the chain; an event the gateway then withholds is reported, exit 1', async () => {
  const cli = cliFor(gateway.url);
  const verify = () => cli.run('audit', '--verify', '--patient', patient.address, '--as', patientKeyFile);
  const honest = await verify();
  assert.equal(honest.code, 0, honest.stderr + honest.stdout);
  assert.match(honest.stdout, /your access history matches the chain/);
  assert.match(honest.stdout, / 0 awaiting anchoring; \d+ anchored leaves searched for yours/);

  // The running gateway's database loses one of the patient's anchored events; its leaf stays.
  const database = new DatabaseSync(join(directory, 'hospital', 'gateway.sqlite'));
  try {
    database.exec('PRAGMA busy_timeout = 5000');
    const row = database
      .prepare(`SELECT seq FROM audit_events WHERE patient = ? AND outcome = 'denied' ORDER BY seq LIMIT 1`)
      .get(patient.address.toLowerCase()) as { seq: number };
    database.prepare('DELETE FROM audit_events WHERE seq = ?').run(row.seq);
    const tampered = await verify();
    assert.equal(tampered.code, 1, tampered.stderr + tampered.stdout);
    assert.match(
      tampered.stdout,
      new RegExp(`MISMATCH at ${gateway.url}: Event ${row.seq - 1} concerns you .* withheld or deleted`),
    );
    assert.match(tampered.stdout, /1 problem\(s\) found/);
  } finally {
    database.close();
  }
});

/** The chain's next audit sequence number for the organisation: how many of its events are anchored. */
function anchoredCount(): Promise<bigint> {
  return createLedgerPublicClient(ledgerEndpoint(chain.rpcUrl), chain.chainId).readContract({
    address: auditAnchors,
    abi: auditAnchorsAbi,
    functionName: 'nextSequence',
    args: [organisationId],
  });
}
