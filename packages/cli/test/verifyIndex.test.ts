/**
 * `medledger verify` checks the gateway's index against the chain, not only the chain itself: a
 * record the gateway has indexed but the chain does not anchor is reported by id as
 * missing-on-chain, and the command exits non-zero.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { bytesToHex, categoryIndex, generateIdentity, randomBytes } from '@medledger/core';
import { SqliteGatewayStore } from '@medledger/server';
import type { Address, Hex } from 'viem';
import { labObservation } from './helpers/people.ts';
import {
  cleanUp,
  cliFor,
  type GatewayProcess,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

let gateway: GatewayProcess;
let patient: GatewayClient;
let anchored: { recordId: Hex; blockNumber: number; transactionHash: Hex };

before(async () => {
  gateway = await startGatewayProcess({ dataDir: await temporaryDirectory('verify-index') });
  const admin = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  const { organisationId } = await admin.createOrganisation({ name: 'Hospital', kind: 'hospital' });
  patient = createGatewayClient({ url: gateway.url, identity: generateIdentity() });
  await patient.registerPatient({ organisationId });
  anchored = await patient.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: labObservation(patient.address, 98),
  });
});

after(cleanUp);

test('verify passes while the index matches the chain, then names an indexed record the chain lacks and exits non-zero', async () => {
  const cli = cliFor(gateway.url);
  const intact = await cli.run('verify');
  assert.equal(intact.code, 0, `${intact.stderr}${intact.stdout}`);
  assert.match(intact.stdout, /checked the 1 records the gateway has indexed against the chain/);

  // A row as the indexer writes it, for a record the chain never anchored (as after lost blocks).
  const ghost = bytesToHex(randomBytes(32));
  const store = new SqliteGatewayStore(join(gateway.dataDir, 'gateway.sqlite'));
  await store.insertRecords([
    {
      recordId: ghost,
      patient: patient.address.toLowerCase() as Address,
      author: patient.address.toLowerCase() as Address,
      organisationId: 1,
      category: categoryIndex('lab'),
      sensitivity: 0,
      contentDigest: bytesToHex(randomBytes(32)),
      cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
      supersedes: `0x${'00'.repeat(32)}`,
      supersededBy: null,
      createdAt: Math.floor(Date.now() / 1000),
      blockNumber: anchored.blockNumber,
      transactionHash: anchored.transactionHash,
    },
  ]);
  await store.close();

  const [human, json] = await Promise.all([cli.run('verify'), cli.run('--json', 'verify')]);
  assert.equal(human.code, 1, `${human.stderr}${human.stdout}`);
  assert.match(human.stdout, new RegExp(`MISMATCH ${ghost} missing-on-chain: `));
  assert.match(human.stderr, /Verification failed: 1 problem/);
  assert.equal(json.code, 1, json.stderr);
  const report = JSON.parse(json.stdout) as {
    ok: boolean;
    checkedRecords: number;
    checkedGatewayRecords: number;
    problems: { recordId: string; kind: string }[];
  };
  assert.deepEqual(
    {
      ok: report.ok,
      checkedRecords: report.checkedRecords,
      checkedGatewayRecords: report.checkedGatewayRecords,
      problems: report.problems.map(({ recordId, kind }) => ({ recordId, kind })),
    },
    {
      ok: false,
      checkedRecords: 1,
      checkedGatewayRecords: 2,
      problems: [{ recordId: ghost, kind: 'missing-on-chain' }],
    },
  );

  const one = await cli.run('verify', '--record', anchored.recordId);
  assert.equal(one.code, 0, `${one.stderr}${one.stdout}`);
});
