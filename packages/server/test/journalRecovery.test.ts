/**
 * Journal recovery when the chain changed under writes already under way: a record acknowledged on
 * the chain as it was, then the chain restored from before it (as a killed embedded anvil restarts
 * from its last snapshot), and meanwhile a write that was sent before the gateway noticed lands on
 * the restored chain. The relay must not record that landing itself: recovery's check of the
 * journal against the chain relies on every mined mark coming from the chain as it was, and a mark
 * from the restored chain at the rewound record's height made recovery skip the rewound record
 * (CI lost an acknowledged record this way in the chain-kill test of `ledgerIntegrity.test.ts`).
 *
 * Real parts: anvil over HTTP with its administrative methods (snapshot, revert, mining by hand),
 * an in-process gateway on SQLite (or PostgreSQL), the client over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { type HttpAnvil, sendRpcCalls, startHttpAnvil } from '@medledger/ledger-node';
import type { Hex } from 'viem';
import { foundConsortium, newMember, newPatient } from './helpers/actors.ts';
import { eventually } from './helpers/emergencies.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { labResult } from './helpers/records.ts';

let chain: HttpAnvil;
let gateway: TestGateway;
let doctor: GatewayClient;
let patient: GatewayClient;

async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  const [outcome] = await sendRpcCalls(chain.rpcUrl, [{ method, params }]);
  if (!outcome || 'error' in outcome) throw new Error(`${method}: ${JSON.stringify(outcome)}`);
  return outcome.result;
}

const pendingTransactions = async () =>
  Number.parseInt(((await rpc('txpool_status')) as { pending: Hex }).pending, 16);

before(async () => {
  chain = await startHttpAnvil();
  // No audit anchoring meanwhile: only the writes of this test go to the chain.
  gateway = await startTestGateway({
    rpcUrl: chain.rpcUrl,
    allowAdminRpc: true,
    auditAnchorIntervalSeconds: 3600,
  });
  const hospital = await foundConsortium(gateway.url);
  doctor = await newMember(gateway.url, hospital);
  patient = await newPatient(gateway.url, hospital);
  await patient.grantConsent({
    grantee: doctor.address,
    categories: ['lab'],
    actions: ['read', 'append'],
    expiresInSeconds: 3600,
  });
});

after(async () => {
  await gateway?.stop();
  await chain?.stop();
});

test('a write that lands on a restored chain before recovery neither hides an acknowledged record from it nor is lost', async () => {
  const { ledger, guard, indexer } = gateway.services;
  // The chain is checked by recovery below, not by the indexer's polls on their own schedule.
  await indexer.stop();
  const snapshot = await rpc('evm_snapshot');

  const first = await doctor.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: labResult('Sodium 140 mmol/L'),
  });

  // The second write is checked and journaled while the chain still holds the first; its
  // transaction waits for the relayer, which the test holds.
  let release = () => {};
  const relayerHeld = ledger.withWritesPaused(() => new Promise<void>((resolve) => (release = resolve)));
  const second = doctor.addRecord({
    patient: patient.address,
    category: 'lab',
    resource: labResult('Potassium 4.1 mmol/L'),
  });
  const secondAnswer = second.then(
    (written) => ({ written }),
    (error: unknown) => ({ error }),
  );
  await eventually(
    async () => ((await guard.pendingActions()) === 1 ? true : undefined),
    'the second write to be journaled',
  );

  // The chain loses the first record's block (a restart from an older snapshot) and mines by hand.
  await rpc('evm_setAutomine', [false]);
  await rpc('evm_revert', [snapshot]);
  ledger.journaled.resetNonce(); // the restored chain's count, as a restarted node's would be read
  release();
  await relayerHeld;
  await eventually(
    async () => ((await pendingTransactions()) === 1 ? true : undefined),
    'the second write sent',
  );

  // The gateway notices the chain went away; then the second write's transaction is mined.
  guard.markUnavailable();
  await rpc('evm_mine');
  await rpc('evm_setAutomine', [true]);

  const outcome = await guard.recover('restarted');
  assert.equal(outcome.rewound, true, 'the first record’s block is gone: a rewind');

  const answer = await secondAnswer;
  assert.ok('written' in answer, `the second write failed: ${String((answer as { error: unknown }).error)}`);
  for (const recordId of [first.recordId, answer.written.recordId]) {
    const anchor = await ledger.read('records', 'anchorOf', [recordId]);
    assert.equal(anchor.patient.toLowerCase(), patient.address.toLowerCase(), `${recordId} is anchored`);
    const { resource } = await doctor.readRecord(recordId);
    assert.equal((resource as { resourceType: string }).resourceType, 'Observation');
  }
  assert.equal(await guard.pendingActions(), 0, 'nothing left pending in the journal');
});
