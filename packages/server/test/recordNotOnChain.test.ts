/**
 * The gateway's index is a copy of the chain, not the ledger: a record it has indexed but the chain
 * does not anchor (the chain lost the blocks, or the index was altered) yields no key and no key
 * share at any custodian, is left out of the chart, and `verifyLedger` reports it. Three hospitals,
 * record keys split 2 of 3, as in the demo consortium.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createGatewayClient, type GatewayClient, verifyLedger } from '@medledger/client';
import {
  bytesToHex,
  categoryIndex,
  cidOf,
  digestOf,
  generateIdentity,
  IntegrityError,
  NotFoundError,
  randomBytes,
  sealRecord,
  utf8ToBytes,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { RecordRow } from '../src/store/gatewayStore.ts';
import { openGatewayStores, openSqlDatabase } from '../src/store/gatewayStores.ts';
import { SqlBlobStore } from '../src/store/sqlBlobStore.ts';
import { startTestConsortium, type TestConsortium, type TestGateway } from './helpers/gateway.ts';
import { call } from './helpers/http.ts';
import { labResult, zeroHash } from './helpers/records.ts';

let consortium: TestConsortium;
let doctor: GatewayClient;
let patient: GatewayClient;
/** Anchored, and indexed as anchored everywhere. */
let anchored: Hex;
/** Anchored, but gateway 3's index holds another content digest for it. */
let altered: Hex;
/** Indexed by every gateway, with its blob, but never anchored. */
let ghost: Hex;

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
  await patient.grantConsent({
    grantee: doctor.address,
    categories: ['lab'],
    actions: ['read', 'append'],
    expiresInSeconds: 3600,
  });
  const [first, second] = await Promise.all([
    doctor.addRecord({ patient: patient.address, category: 'lab', resource: labResult() }),
    doctor.addRecord({ patient: patient.address, category: 'lab', resource: labResult('Potassium 4.1') }),
  ]);
  anchored = first.recordId;
  altered = second.recordId;
  ghost = await indexRecordWithoutAnchor(first);
  // Gateway 3 indexes the record from the chain on its own schedule: alter its row once it is there.
  await untilIndexed(consortium.gateways[2]!.url, altered);
  await alterIndexedDigest(consortium.gateways[2]!, altered);
});

after(() => consortium.stop());

/**
 * Seals a record for the patient and the three custodians as a client would, stores its blob at
 * every gateway and inserts its row into every gateway's index, so that only the anchor is missing.
 */
async function indexRecordWithoutAnchor(sibling: { blockNumber: number; transactionHash: Hex }) {
  const recordId = bytesToHex(randomBytes(32));
  const createdAt = Math.floor(Date.now() / 1000);
  const info = await patient.ledger();
  const organisations = await Promise.all(
    consortium.gateways.map((gateway) =>
      createGatewayClient({ url: gateway.url, identity: generateIdentity() }).ledger(),
    ),
  );
  const { envelope } = await sealRecord({
    plaintext: utf8ToBytes(JSON.stringify(labResult('Never anchored'))),
    metadata: {
      recordId,
      patient: patient.address.toLowerCase() as Address,
      author: doctor.address.toLowerCase() as Address,
      category: 'lab',
      sensitivity: 'normal',
      supersedes: zeroHash,
      createdAt,
    },
    recipients: [
      {
        kind: 'patient',
        id: patient.address.toLowerCase(),
        publicKey: patient.identity.encryption.publicKey,
      },
    ],
    custody: {
      threshold: info.custody.threshold,
      custodians: organisations.map((organisation) => ({
        kind: 'custodian' as const,
        id: String(organisation.custodian.organisationIds[0]),
        publicKey: organisation.custodian.encryptionKey,
      })),
    },
  });
  const row: RecordRow = {
    recordId,
    patient: patient.address.toLowerCase() as Address,
    author: doctor.address.toLowerCase() as Address,
    organisationId: 1,
    category: categoryIndex('lab'),
    sensitivity: 0,
    contentDigest: digestOf(envelope),
    cid: cidOf(envelope),
    supersedes: zeroHash,
    supersededBy: null,
    createdAt,
    blockNumber: sibling.blockNumber,
    transactionHash: sibling.transactionHash,
  };
  for (const gateway of consortium.gateways) {
    const stores = await openGatewayStores(gateway.storeLocation);
    await new SqlBlobStore(stores.database).put(envelope);
    await stores.store.insertRecords([row]);
    await stores.close();
  }
  return recordId;
}

/** Resolves once the gateway at `url` lists `recordId` among its indexed record anchors. */
async function untilIndexed(url: string, recordId: Hex): Promise<void> {
  for (;;) {
    const { body } = await call(url, 'GET', '/api/ledger/records?limit=1000');
    if ((body as { records: { recordId: string }[] }).records.some((r) => r.recordId === recordId)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Changes the content digest one gateway's index holds for `recordId` (the chain keeps its own). */
async function alterIndexedDigest(gateway: TestGateway, recordId: Hex): Promise<void> {
  const database = await openSqlDatabase(gateway.storeLocation);
  try {
    await database.run('UPDATE records SET content_digest = $digest WHERE record_id = $id', {
      digest: bytesToHex(randomBytes(32)),
      id: recordId.toLowerCase(),
    });
  } finally {
    await database.close();
  }
}

function asReader(client: GatewayClient, gatewayIndex: number): GatewayClient {
  return createGatewayClient({ url: consortium.gateways[gatewayIndex]!.url, identity: client.identity });
}

const notOnChain = (error: unknown) => {
  assert.ok(error instanceof NotFoundError, String(error));
  assert.equal(error.reason, 'record_not_on_chain');
  return true;
};

test('an indexed record the chain does not anchor: no key to the patient, no share to a granted doctor at any custodian', async () => {
  // The gateways hold the ghost's blob and row: only the anchor is missing.
  const indexed = await call(consortium.gateways[0]!.url, 'GET', `/api/ledger/records`);
  assert.ok(
    (indexed.body as { records: { recordId: string }[] }).records.some((r) => r.recordId === ghost),
    'the ghost is indexed',
  );
  await assert.rejects(patient.accessRecord(ghost), notOnChain);
  await assert.rejects(patient.readRecord(ghost), notOnChain);
  for (const index of [0, 1, 2]) {
    await assert.rejects(asReader(doctor, index).accessRecord(ghost), notOnChain);
  }
  // The same reader and gateways still release shares of the anchored record.
  const answer = await doctor.accessRecord(anchored);
  assert.equal(typeof answer.sealedShare?.share, 'number');
  assert.deepEqual((await doctor.readRecord(anchored)).resource, labResult());
});

test('the raw answer is a 404 with reason record_not_on_chain and nothing else', async () => {
  const token = (await patient.signIn()).token;
  const response = await call(consortium.gateways[0]!.url, 'POST', `/api/records/${ghost}/access`, {
    token,
    body: {},
  });
  assert.equal(response.status, 404, response.text);
  assert.deepEqual(Object.keys(response.body as object), ['error']);
  assert.equal((response.body as { error: { reason: string } }).error.reason, 'record_not_on_chain');
  // Audited as a denial with that reason, never as an allowed read.
  const { events } = await patient.audit();
  const ofGhost = events.filter((event) => event.recordId?.toLowerCase() === ghost.toLowerCase());
  assert.ok(ofGhost.length > 0, 'reads of the ghost are audited');
  assert.ok(
    ofGhost.every((event) => event.outcome === 'denied' && event.reason === 'record_not_on_chain'),
    JSON.stringify(ofGhost),
  );
});

test('an indexed record the chain anchors with another digest: an integrity error, no share', async () => {
  await assert.rejects(asReader(doctor, 2).accessRecord(altered), (error: unknown) => {
    assert.ok(error instanceof IntegrityError, String(error));
    assert.equal(error.reason, 'record_anchor_mismatch');
    return true;
  });
  // Gateways whose index agrees with the chain serve it.
  assert.equal(typeof (await asReader(doctor, 1).accessRecord(altered)).sealedShare?.share, 'number');
});

test('the chart lists what the chain anchors, for the patient and the doctor, at every gateway', async () => {
  const listed = async (client: GatewayClient, index: number) =>
    (await asReader(client, index).listRecords(patient.address)).records.map((r) => r.recordId).sort();
  for (const reader of [patient, doctor]) {
    assert.deepEqual(await listed(reader, 0), [anchored, altered].sort());
    assert.deepEqual(await listed(reader, 1), [anchored, altered].sort());
    assert.deepEqual(await listed(reader, 2), [anchored]);
  }
});

test('verifyLedger reports the records a gateway has indexed that the chain lacks or anchors otherwise', async () => {
  const [first, , third] = consortium.gateways;
  const report = await verifyLedger({ gatewayUrl: first!.url });
  assert.equal(report.ok, false);
  assert.equal(report.checkedGatewayRecords, 3);
  assert.deepEqual(
    report.problems.map((p) => [p.recordId, p.kind]),
    [[ghost, 'missing-on-chain']],
  );
  const altering = await verifyLedger({ gatewayUrl: third!.url });
  assert.deepEqual(
    altering.problems.map((p) => [p.recordId, p.kind]).sort(),
    [
      [altered, 'anchor-mismatch'],
      [ghost, 'missing-on-chain'],
    ].sort(),
  );
  assert.match(altering.problems.find((p) => p.kind === 'anchor-mismatch')?.problem ?? '', /contentDigest/);
  const one = await verifyLedger({ gatewayUrl: first!.url, recordId: ghost });
  assert.deepEqual(
    one.problems.map((p) => [p.recordId, p.kind]),
    [[ghost, 'missing-on-chain']],
  );
  assert.equal((await verifyLedger({ gatewayUrl: first!.url, recordId: anchored })).ok, true);
});

test('GET /api/ledger/records pages through the index by record id', async () => {
  const url = consortium.gateways[0]!.url;
  const seen: string[] = [];
  let after: string | null = null;
  do {
    const page = await call(url, 'GET', `/api/ledger/records?limit=1${after ? `&after=${after}` : ''}`);
    assert.equal(page.status, 200, page.text);
    const body = page.body as { records: { recordId: string }[]; next: string | null };
    assert.ok(body.records.length <= 1);
    seen.push(...body.records.map((r) => r.recordId));
    after = body.next;
  } while (after);
  assert.deepEqual(seen, [anchored, altered, ghost].sort());
  // One patient's anchors only, when asked; none for an address with no records.
  const all = (await call(url, 'GET', '/api/ledger/records')).body as { records: { patient: string }[] };
  const patient = all.records[0]!.patient;
  const own = (await call(url, 'GET', `/api/ledger/records?patient=${patient}`)).body as {
    records: { patient: string }[];
  };
  assert.ok(own.records.length > 0);
  assert.deepEqual(
    own.records,
    all.records.filter((record) => record.patient === patient),
  );
  const nobody = await call(url, 'GET', `/api/ledger/records?patient=0x${'42'.repeat(20)}`);
  assert.deepEqual((nobody.body as { records: unknown[] }).records, []);
  const refused = await call(url, 'GET', '/api/ledger/records?limit=0');
  assert.equal(refused.status, 400);
});
