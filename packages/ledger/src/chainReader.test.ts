import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LedgerUnavailableError, NotFoundError } from '@medledger/core';
import { freePort, type HttpAnvil, startHttpAnvil } from '@medledger/ledger-node';
import { decodeFunctionData } from 'viem';
import { deployedLedger, proposeOrganisation } from '../test/helpers/deployedLedger.ts';
import { type ChainReader, createChainReader } from './chainReader.ts';
import type { Deployment } from './deployment.ts';
import { ledgerAbis } from './ledgerAbis.ts';
import type { LedgerClient } from './ledgerClient.ts';

// The reader speaks HTTP (it runs in browsers): a bare anvil on a local HTTP port.
describe('the chain reader on a real chain', () => {
  let node: HttpAnvil;
  let rpcUrl: string;
  let ledger: LedgerClient;
  let deployment: Deployment;
  let chain: ChainReader;
  before(async () => {
    node = await startHttpAnvil();
    rpcUrl = node.rpcUrl;
    ({ ledger, deployment } = await deployedLedger(rpcUrl, 31337));
    // Three organisations, each proposed in a block of its own (anvil mines each transaction).
    for (let count = 0; count < 3; count++) await proposeOrganisation(ledger);
    // One block per log query: the three events come from three windows.
    chain = createChainReader({
      rpcUrl,
      contracts: deployment,
      limits: { maxBatchCalls: 5, maxLogBlockRange: 1 },
    });
  });
  after(() => node?.stop());

  test('reads the chain id, the latest block and blocks that link by hash', async () => {
    assert.equal(await chain.chainId(), 31337);
    const latest = await chain.blockNumber();
    assert.equal(latest, await ledger.blockNumber());
    const [block, parent] = await Promise.all([chain.block(latest), chain.block(latest - 1n)]);
    assert.equal(block.number, latest);
    assert.equal(block.parentHash, parent.hash);
    assert.equal(block.transactions.length, 1);
  });

  test("reads a transaction's call data", async () => {
    const block = await chain.block(await chain.blockNumber());
    const input = await chain.transactionInput(block.transactions[0] as `0x${string}`);
    const call = decodeFunctionData({ abi: ledgerAbis.consortium, data: input });
    assert.equal(call.functionName, 'proposeOrganisation');
  });

  test('reads view functions, typed by the ABI', async () => {
    assert.equal(await chain.read('consortium', 'organisationCount', []), 3);
    const organisation = await chain.read('consortium', 'organisation', [1]);
    assert.ok(organisation.name.startsWith('Clinic of 0x'), organisation.name);
  });

  test('reads events in block order across windows, and filters on indexed arguments', async () => {
    const proposed = await chain.events('consortium', 'OrganisationProposed', {
      fromBlock: deployment.deployedAtBlock,
    });
    assert.deepEqual(
      proposed.map((log) => log.args.organisationId),
      [1, 2, 3],
    );
    assert.ok(
      proposed.every(
        (log, index) => index === 0 || log.blockNumber > (proposed[index - 1]?.blockNumber ?? 0n),
      ),
    );
    const second = await chain.events('consortium', 'OrganisationProposed', {
      fromBlock: 0n,
      args: { organisationId: 2 },
    });
    assert.deepEqual(
      second.map((log) => log.args.organisationId),
      [2],
    );
  });

  test("a contract's refusal is its table entry; an unreachable node, the ledger unavailable", async () => {
    await assert.rejects(chain.read('auditAnchors', 'batch', [1, 0n]), (error: unknown) => {
      assert.ok(error instanceof NotFoundError);
      assert.equal(error.reason, 'audit_anchors_unknown_batch');
      return true;
    });
    const nowhere = createChainReader({
      rpcUrl: `http://127.0.0.1:${await freePort()}`,
      contracts: deployment,
    });
    await assert.rejects(nowhere.blockNumber(), LedgerUnavailableError);
  });
});
