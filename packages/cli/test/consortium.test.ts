/**
 * Three hospitals' gateways as real processes on one chain, record keys split 2 of 3: kill -9 of one
 * gateway and reads still succeed; of a second and reads fail closed with a clear error; restart
 * them and everything is served again, nothing acknowledged lost, and the audit log of every
 * gateway, including the killed ones, verifies against the chain.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createGatewayClient, type GatewayClient, verifyAuditTrail } from '@medledger/client';
import { generateIdentity, LedgerUnavailableError } from '@medledger/core';
import { type EmbeddedChain, startEmbeddedChain } from '@medledger/ledger-node';
import type { Hex } from 'viem';
import { labObservation } from './helpers/people.ts';
import {
  cleanUp,
  type GatewayProcess,
  sleep,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

let chain: EmbeddedChain;
let directory: string;
const gateways: GatewayProcess[] = [];
let doctor: GatewayClient;
let patient: GatewayClient;
const acknowledged: { recordId: Hex; value: number }[] = [];

before(async () => {
  directory = await temporaryDirectory('consortium');
  chain = await startEmbeddedChain({ directory: join(directory, 'chain') });
  const deploymentFile = join(directory, 'hospital-1', 'deployment.json');
  for (let index = 0; index < 3; index++) {
    gateways.push(
      await startGatewayProcess({
        dataDir: join(directory, `hospital-${index + 1}`),
        rpcUrl: chain.rpcUrl,
        args: index ? ['--deployment', deploymentFile] : [],
      }),
    );
  }
  const admins = gateways.map((gateway) =>
    createGatewayClient({ url: gateway.url, identity: generateIdentity() }),
  );
  for (const [index, admin] of admins.entries()) {
    const { organisationId, status } = await admin.createOrganisation({
      name: `Hospital ${index + 1}`,
      kind: 'hospital',
    });
    if (status === 'active') continue;
    for (const approver of admins.slice(0, index)) {
      if ((await approver.approveOrganisation(organisationId)).status === 'active') break;
    }
    await admin.publishGateway(organisationId);
  }
  const { proposalId, enacted } = await admins[0]!.proposeCustody([1, 2, 3], 2);
  if (!enacted) await admins[1]!.approveCustody(proposalId);

  doctor = createGatewayClient({ url: gateways[0]!.url, identity: generateIdentity() });
  await admins[0]!.addMember({
    organisationId: 1,
    member: doctor.address,
    role: 'doctor',
    encryptionKey: doctor.identity.encryption.publicKey,
  });
  patient = createGatewayClient({ url: gateways[0]!.url, identity: generateIdentity() });
  await patient.registerPatient({ organisationId: 1 });
  await patient.grantConsent({
    grantee: doctor.address,
    categories: ['lab'],
    actions: ['read', 'append'],
    expiresInSeconds: 3600,
  });
  for (let value = 1; value <= 5; value++) {
    const { recordId } = await doctor.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: labObservation(patient.address, value),
    });
    acknowledged.push({ recordId, value });
  }
});

after(async () => {
  await cleanUp();
  await chain?.stop();
});

/** A new client each time, so that no session or share is reused across the kills. */
async function readAll(): Promise<number[]> {
  const reader = createGatewayClient({ url: gateways[0]!.url, identity: doctor.identity });
  const values: number[] = [];
  for (const { recordId } of acknowledged) {
    const { resource } = await reader.readRecord(recordId);
    values.push((resource as { valueQuantity: { value: number } }).valueQuantity.value);
  }
  return values;
}

test('with all three custodians up, every acknowledged record reads back', async () => {
  assert.deepEqual(await readAll(), [1, 2, 3, 4, 5]);
});

test('kill -9 of one custodian gateway: reads still succeed with the other two', async () => {
  await gateways[1]!.stop('SIGKILL');
  assert.deepEqual(await readAll(), [1, 2, 3, 4, 5]);
});

test('kill -9 of a second: reads fail closed, saying how many shares were had', async () => {
  await gateways[2]!.stop('SIGKILL');
  await assert.rejects(readAll(), (error: unknown) => {
    assert.ok(error instanceof LedgerUnavailableError, String(error));
    assert.match(error.shortMessage, /Only 1 of the 2 key shares/);
    return true;
  });
});

test('restarted on their data directories, the gateways serve everything again; nothing acknowledged is lost', async () => {
  for (const index of [1, 2]) {
    const port = Number(new URL(gateways[index]!.url).port);
    gateways[index] = await startGatewayProcess({
      dataDir: join(directory, `hospital-${index + 1}`),
      rpcUrl: chain.rpcUrl,
      port,
      args: ['--deployment', join(directory, 'hospital-1', 'deployment.json')],
    });
  }
  assert.deepEqual(await readAll(), [1, 2, 3, 4, 5]);
});

test('every gateway’s audit log, the killed ones included, is anchored and verifies against the chain', async () => {
  const deadline = Date.now() + 30_000;
  for (const gateway of gateways) {
    const client = createGatewayClient({ url: gateway.url, identity: patient.identity });
    for (;;) {
      const report = await verifyAuditTrail(client);
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      if (report.awaitingAnchor === 0) {
        assert.ok(report.anchored > 0, `${gateway.url} anchored the patient’s events`);
        break;
      }
      assert.ok(
        Date.now() < deadline,
        `${gateway.url} still has ${report.awaitingAnchor} events awaiting anchoring`,
      );
      await sleep(500);
    }
  }
});
