/**
 * k-of-n custody across organisations: three hospitals, each with its own gateway on one chain, and
 * record keys split 2 of 3 across them. A reader needs two custodians' shares; each custodian checks
 * the chain on its own; one gateway down is fine, two down fails closed; the patient needs no one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import {
  AccessDeniedError,
  base64urlToBytes,
  generateIdentity,
  LedgerUnavailableError,
  parseEnvelope,
} from '@medledger/core';
import { startTestConsortium, type TestGateway } from './helpers/gateway.ts';

const gateways: TestGateway[] = [];
let doctor: GatewayClient;
let patient: GatewayClient;
let stranger: GatewayClient;
let recordId: `0x${string}`;
const observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] },
  valueQuantity: { value: 5.4, unit: 'mmol/L' },
};

before(async () => {
  const consortium = await startTestConsortium({ hospitals: 3, threshold: 2 });
  gateways.push(...consortium.gateways);
  const { admins } = consortium;

  doctor = createGatewayClient({ url: gateways[0]!.url, identity: generateIdentity() });
  stranger = createGatewayClient({ url: gateways[0]!.url, identity: generateIdentity() });
  for (const member of [doctor, stranger]) {
    await admins[0]!.addMember({
      organisationId: 1,
      member: member.address,
      role: 'doctor',
      encryptionKey: member.identity.encryption.publicKey,
    });
  }
  patient = createGatewayClient({ url: gateways[0]!.url, identity: generateIdentity() });
  await patient.registerPatient({ organisationId: 1 });
  await patient.grantConsent({
    grantee: doctor.address,
    categories: ['lab'],
    actions: ['read', 'append'],
    expiresInSeconds: 3600,
  });
  ({ recordId } = await doctor.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: observation,
  }));
  // No waiting for the other gateways to index the record: a custodian asked for a record it has
  // not indexed yet catches up with the chain first.
});

after(async () => {
  for (const gateway of gateways) await gateway.stop().catch(() => undefined);
});

test('a record is sealed in shares to the three custodians, 2 needed, and a whole key to the patient only', async () => {
  const answer = await patient.accessRecord(recordId);
  const envelope = parseEnvelope(base64urlToBytes(answer.envelope));
  assert.equal(envelope.v, 2);
  assert.equal(envelope.v === 2 && envelope.custody.threshold, 2);
  const custodians = envelope.keys.filter((key) => key.kind === 'custodian');
  assert.deepEqual(custodians.map((key) => key.id).sort(), ['1', '2', '3']);
  assert.ok(custodians.every((key) => 'share' in key));
});

test('a reader with consent combines two custodians’ shares and reads the record unchanged', async () => {
  const { resource } = await doctor.readRecord(recordId);
  assert.deepEqual(resource, observation);
});

test('a single custodian’s answer holds one share, never the key', async () => {
  const answer = await doctor.accessRecord(recordId);
  assert.equal(answer.sealedKey, null);
  assert.equal(typeof answer.sealedShare?.share, 'number');
});

test('each custodian checks the chain: a reader without consent gets no share anywhere', async () => {
  await assert.rejects(stranger.readRecord(recordId), AccessDeniedError);
  for (const gateway of gateways) {
    const peer = createGatewayClient({ url: gateway.url, identity: stranger.identity });
    await assert.rejects(peer.accessRecord(recordId), AccessDeniedError);
  }
});

test('answers cross-origin calls from the other gateways’ pages only (a browser gathers shares)', async () => {
  const [own, peer] = [gateways[0]!, gateways[1]!];
  const preflight = (origin: string) =>
    fetch(`${own.url}/api/records/${recordId}/access`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
  const peerOrigin = new URL(peer.url).origin;
  const allowed = await preflight(peerOrigin);
  assert.equal(allowed.status, 204);
  assert.equal(allowed.headers.get('access-control-allow-origin'), peerOrigin);
  assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /authorization/);
  assert.equal(allowed.headers.get('access-control-allow-credentials'), null, 'no cookies, ever');
  for (const stranger of ['http://evil.example', 'http://127.0.0.1:1']) {
    const refused = await preflight(stranger);
    assert.equal(refused.headers.get('access-control-allow-origin'), null, stranger);
  }
  const health = await fetch(`${own.url}/api/health`, { headers: { origin: peerOrigin } });
  assert.equal(health.headers.get('access-control-allow-origin'), peerOrigin);
});

test('with one custodian down, the two others are enough', async () => {
  await gateways[2]!.stop();
  const fresh = createGatewayClient({ url: gateways[0]!.url, identity: doctor.identity });
  const { resource } = await fresh.readRecord(recordId);
  assert.deepEqual(resource, observation);
});

test('the patient reads with its own key alone, even with every other custodian down', async () => {
  await gateways[1]!.stop();
  const { resource } = await patient.readRecord(recordId);
  assert.deepEqual(resource, observation);
});

test('with one custodian of three left, reads fail closed and say why', async () => {
  const fresh = createGatewayClient({ url: gateways[0]!.url, identity: doctor.identity });
  await assert.rejects(fresh.readRecord(recordId), (error: unknown) => {
    assert.ok(error instanceof LedgerUnavailableError, String(error));
    assert.match(error.shortMessage, /Only 1 of the 2 key shares/);
    return true;
  });
});
