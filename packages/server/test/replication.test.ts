/**
 * Blobs between gateways: two real gateways on one chain, and a peer that serves corrupted copies.
 * A gateway that lacks a blob fetches it from the gateways published on chain, refuses a copy that
 * does not match its CID, keeps the first intact one, and answers peers from local storage only.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createGatewayClient } from '@medledger/client';
import { bytesToHex, cidOf, generateIdentity, randomBytes } from '@medledger/core';
import { writeDeployment } from '@medledger/ledger-node';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

let gatewayA: TestGateway;
let gatewayB: TestGateway;
let fakePeer: Server;
let fakeUrl: string;
const fakeHits: string[] = [];
/** CIDs for which the fake peer serves the intact bytes; any other CID gets corrupted bytes. */
const fakeServesIntact = new Map<string, Uint8Array>();

before(async () => {
  fakePeer = createServer((request, response) => {
    const cid = /^\/api\/blobs\/(\w+)$/.exec(request.url ?? '')?.[1] ?? '';
    fakeHits.push(cid);
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    response.end(fakeServesIntact.get(cid) ?? randomBytes(64));
  });
  await new Promise<void>((resolve) => fakePeer.listen(0, '127.0.0.1', resolve));
  const address = fakePeer.address();
  fakeUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  gatewayA = await startTestGateway();
  const deploymentFile = join(gatewayA.dataDir, 'shared-deployment.json');
  await writeDeployment(deploymentFile, gatewayA.deployment);
  gatewayB = await startTestGateway({ rpcUrl: gatewayA.rpcUrl, deploymentFile });

  // The fake peer's organisation founds the consortium, so it is the first peer anyone asks.
  const fakeAdmin = createGatewayClient({ url: gatewayA.url, identity: generateIdentity() });
  await fakeAdmin.createOrganisation({ name: 'Corrupting Clinic', kind: 'hospital', gatewayUrl: fakeUrl });
  const adminA = createGatewayClient({ url: gatewayA.url, identity: generateIdentity() });
  const proposed = await adminA.createOrganisation({ name: 'Hospital A', kind: 'hospital' });
  await fakeAdmin.approveOrganisation(proposed.organisationId);
  await waitFor(async () => {
    const answer = await fetch(`${gatewayB.url}/api/organisations`).then((r) => r.json());
    return (
      (answer as { organisations: { status: string }[] }).organisations.filter((o) => o.status === 'active')
        .length === 2
    );
  });
});

after(async () => {
  await gatewayB?.stop();
  await gatewayA?.stop();
  await new Promise((resolve) => fakePeer?.close(resolve));
});

test('a gateway fetches a missing blob from a peer, refusing a corrupted copy on the way', async () => {
  const added = await noteWrittenAtA('bm90ZQ==');
  const original = new Uint8Array(
    await (await fetch(`${gatewayA.url}/api/blobs/${added.cid}`)).arrayBuffer(),
  );

  // B fetches it, in the background once the record is anchored or at this request, whichever is first.
  const fetched = await fetch(`${gatewayB.url}/api/blobs/${added.cid}`);
  assert.equal(fetched.status, 200);
  assert.deepEqual(new Uint8Array(await fetched.arrayBuffer()), original);
  assert.ok(fakeHits.includes(added.cid), 'the corrupting peer was asked first and its copy refused');

  // B now holds its own copy: a peer request (local only) is answered without asking anyone.
  const hitsAfter = fakeHits.length;
  const local = await fetch(`${gatewayB.url}/api/blobs/${added.cid}`, {
    headers: { 'x-medledger-peer': '1' },
  });
  assert.equal(local.status, 200);
  assert.deepEqual(new Uint8Array(await local.arrayBuffer()), original);
  assert.equal(fakeHits.length, hitsAfter);
});

test('reads of one missing blob at once share one search of the peers', async () => {
  const added = await noteWrittenAtA('dHdpY2U=');
  // Three reads at B at once, and B's background queue once it indexes the record: one search.
  const answers = await Promise.all(
    [1, 2, 3].map(() => fetch(`${gatewayB.url}/api/blobs/${added.cid}`).then((r) => r.status)),
  );
  assert.deepEqual(answers, [200, 200, 200]);
  await waitFor(async () => (await gatewayB.services.store.record(added.recordId)) !== undefined);
  assert.equal(
    fakeHits.filter((cid) => cid === added.cid).length,
    1,
    'the first peer was asked once for the blob',
  );
});

test('no intact copy anywhere is a 404, and nothing corrupted is kept', async () => {
  const cid = cidOf(randomBytes(100));
  const answer = await fetch(`${gatewayB.url}/api/blobs/${cid}`);
  assert.equal(answer.status, 404);
  assert.ok(fakeHits.includes(cid), 'the peer was asked');
  const again = await fetch(`${gatewayB.url}/api/blobs/${cid}`, { headers: { 'x-medledger-peer': '1' } });
  assert.equal(again.status, 404, 'the corrupted copy was not stored');
});

test('an intact copy from any peer is accepted, verified by its CID', async () => {
  const bytes = new TextEncoder().encode(`ciphertext stand-in ${bytesToHex(randomBytes(8))}`);
  const cid = cidOf(bytes);
  fakeServesIntact.set(cid, bytes);
  const answer = await fetch(`${gatewayB.url}/api/blobs/${cid}`);
  assert.equal(answer.status, 200);
  assert.deepEqual(new Uint8Array(await answer.arrayBuffer()), bytes);
});

test('a peer request for a blob this gateway lacks is not passed on to other peers', async () => {
  const cid = cidOf(randomBytes(50));
  const hits = fakeHits.length;
  const answer = await fetch(`${gatewayB.url}/api/blobs/${cid}`, { headers: { 'x-medledger-peer': '1' } });
  assert.equal(answer.status, 404);
  assert.equal(fakeHits.length, hits);
});

/** A new patient of organisation 2 writes a note at gateway A (text: base64 `data`); its record. */
async function noteWrittenAtA(data: string) {
  const patient = createGatewayClient({ url: gatewayA.url, identity: generateIdentity() });
  await patient.registerPatient({ organisationId: 2 });
  return patient.addRecord({
    patient: patient.address,
    category: 'note',
    resource: {
      resourceType: 'DocumentReference',
      status: 'current',
      content: [{ attachment: { contentType: 'text/plain', data } }],
    },
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the gateways to index the consortium');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
