/**
 * `POST /rpc`, the gateway's read-only JSON-RPC endpoint on a real gateway and a real anvil: every
 * allowed read answers from the chain, nothing else reaches it, and the endpoint takes only JSON,
 * bounded batches and log ranges, from no foreign origin, at a bounded rate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { consortiumAbi } from '@medledger/contracts';
import { readOnlyRpcLimits } from '@medledger/core';
import { sendRpcCalls } from '@medledger/ledger-node';
import { type Address, createPublicClient, type Hex, http } from 'viem';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { call } from './helpers/http.ts';

interface RpcAnswer {
  jsonrpc: '2.0';
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: { reason?: string } };
}

describe('the read-only JSON-RPC endpoint', () => {
  let gateway: TestGateway;
  /** The chain's own endpoint, development methods included: what the test checks against. */
  const direct = async (method: string, params: unknown[] = []) => {
    const [outcome] = await sendRpcCalls(gateway.rpcUrl, [{ method, params }]);
    if (!outcome || 'error' in outcome) throw new Error(`${method} failed on the chain itself`);
    return outcome.result;
  };
  const rpc = (body: unknown, options: { contentType?: string; headers?: Record<string, string> } = {}) =>
    call(gateway.url, 'POST', '/rpc', { body, ...options });
  const one = (method: string, params: unknown[] = [], id: unknown = 1) => ({
    jsonrpc: '2.0',
    id,
    method,
    params,
  });

  before(async () => {
    // The default limits: the flood test below meets the `rpc` one.
    gateway = await startTestGateway({ rateLimits: {} });
  });
  after(() => gateway.stop());

  it('answers each allowed read from the chain, through viem as a client uses it', async () => {
    const chain = createPublicClient({
      transport: http(gateway.readOnlyRpcUrl, { batch: { batchSize: readOnlyRpcLimits.maxBatchCalls } }),
    });
    const deployedAt = gateway.deployment.deployedAtBlock;
    const latest = await chain.getBlockNumber();
    assert.equal(latest, BigInt(String(await direct('eth_blockNumber'))));
    assert.equal(await chain.getChainId(), 31337);
    const block = await chain.getBlock({ blockNumber: deployedAt });
    assert.equal((await chain.getBlock({ blockHash: block.hash })).number, deployedAt);
    const hash = block.transactions[0] as Hex;
    assert.equal((await chain.getTransaction({ hash })).hash, hash);
    const receipt = await chain.getTransactionReceipt({ hash });
    assert.equal(receipt.contractAddress?.toLowerCase(), gateway.deployment.consortium.toLowerCase());
    assert.equal(
      await chain.readContract({
        address: gateway.deployment.consortium,
        abi: consortiumAbi,
        functionName: 'organisationCount',
      }),
      0,
    );
    assert.ok(Array.isArray(await chain.getLogs({ fromBlock: deployedAt, toBlock: latest })));
    assert.match((await chain.getCode({ address: gateway.deployment.consortium })) ?? '', /^0x[0-9a-f]{10}/);
    const relayer = (await (await fetch(`${gateway.url}/api/ledger`)).json()).relayer as Address;
    assert.ok((await chain.getBalance({ address: relayer })) > 0n);
    assert.ok((await chain.getTransactionCount({ address: relayer })) >= 6);
    assert.match(
      (await chain.getStorageAt({ address: gateway.deployment.consortium, slot: '0x0' })) ?? '',
      /^0x/,
    );
    const answers = (await rpc([one('net_version', [], 'n'), one('web3_clientVersion', [], 'w')]))
      .body as RpcAnswer[];
    assert.deepEqual(
      answers.map((answer) => [answer.id, typeof answer.result]),
      [
        ['n', 'string'],
        ['w', 'string'],
      ],
    );
  });

  it('refuses every other method with -32601, and none of them runs', async () => {
    const blockBefore = await direct('eth_blockNumber');
    const [account] = (await direct('eth_accounts')) as Address[];
    const nonceBefore = await direct('eth_getTransactionCount', [account, 'latest']);
    const slot = `0x${'00'.repeat(32)}`;
    const storageBefore = await direct('eth_getStorageAt', [gateway.deployment.consents, slot, 'latest']);
    const forbidden: [string, unknown[]][] = [
      ['evm_snapshot', []],
      ['evm_revert', ['0x1']],
      ['evm_mine', []],
      ['evm_increaseTime', [3600]],
      ['evm_setNextBlockTimestamp', [4_000_000_000]],
      ['anvil_setStorageAt', [gateway.deployment.consents, slot, `0x${'11'.repeat(32)}`]],
      ['anvil_impersonateAccount', [gateway.deployment.consortium]],
      ['anvil_setBalance', [account, '0x0']],
      ['anvil_mine', ['0x5']],
      ['anvil_dumpState', []],
      ['hardhat_setStorageAt', [gateway.deployment.consents, slot, `0x${'11'.repeat(32)}`]],
      ['hardhat_mine', ['0x5']],
      ['debug_traceTransaction', [`0x${'00'.repeat(32)}`]],
      ['personal_sign', ['0x00', account]],
      ['personal_listAccounts', []],
      ['eth_sendTransaction', [{ from: account, to: account, value: '0x1' }]],
      ['eth_sendRawTransaction', ['0x00']],
      ['eth_sign', [account, '0x00']],
      ['eth_signTypedData_v4', [account, '{}']],
      ['eth_accounts', []],
      ['admin_nodeInfo', []],
      ['admin_addPeer', ['enode://x']],
      ['txpool_status', []],
      ['txpool_content', []],
    ];
    for (const [method, params] of forbidden) {
      const single = await rpc(one(method, params, method));
      assert.equal(single.status, 200, method);
      const answer = single.body as RpcAnswer;
      assert.equal(answer.id, method);
      assert.equal(answer.error?.code, -32601, method);
      assert.equal(answer.error?.data?.reason, 'method_not_allowed', method);
      assert.match(answer.error?.message ?? '', new RegExp(`${method} is not allowed`));
    }
    const batch = (await rpc(forbidden.map(([method, params], id) => one(method, params, id))))
      .body as RpcAnswer[];
    assert.equal(batch.length, forbidden.length);
    assert.ok(batch.every((answer) => answer.error?.data?.reason === 'method_not_allowed'));

    assert.equal(await direct('eth_blockNumber'), blockBefore, 'no block was mined');
    assert.equal(
      await direct('eth_getTransactionCount', [account, 'latest']),
      nonceBefore,
      'nothing was sent',
    );
    assert.equal(
      await direct('eth_getStorageAt', [gateway.deployment.consents, slot, 'latest']),
      storageBefore,
      'no storage was written',
    );
    // The chain's first snapshot is 0x0: none was taken through the gateway.
    const snapshot = await direct('evm_snapshot');
    assert.equal(snapshot, '0x0');
    await direct('evm_revert', [snapshot]);
  });

  it('bounds eth_getLogs to 5,000 blocks, or one block by hash', async () => {
    const logs = async (filter: Record<string, unknown>) =>
      (await rpc(one('eth_getLogs', [filter]))).body as RpcAnswer;
    assert.ok(Array.isArray((await logs({ fromBlock: '0x0', toBlock: '0x1387' })).result));
    assert.ok(
      Array.isArray((await logs({ fromBlock: 'earliest', toBlock: 'latest' })).result),
      'a young chain',
    );
    const block = (await direct('eth_getBlockByNumber', ['latest', false])) as { hash: Hex };
    assert.ok(Array.isArray((await logs({ blockHash: block.hash })).result));
    for (const filter of [
      { fromBlock: '0x0', toBlock: '0x1388' },
      { fromBlock: 'earliest', toBlock: '0xf4240' },
    ]) {
      const refused = await logs(filter);
      assert.equal(refused.error?.code, -32602);
      assert.equal(refused.error?.data?.reason, 'log_range_too_wide');
    }
  });

  it('takes JSON only, batches of at most 100 calls, and answers no foreign origin', async () => {
    const blockBefore = await direct('eth_blockNumber');
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      const response = await call(gateway.url, 'POST', '/rpc', {
        raw: JSON.stringify(one('evm_mine')),
        contentType,
        headers: { origin: 'http://evil.example' },
      });
      assert.equal(response.status, 400, contentType);
      assert.equal((response.body as { error: { reason: string } }).error.reason, 'unsupported_media_type');
      assert.equal(response.headers.get('access-control-allow-origin'), null);
    }
    assert.equal(await direct('eth_blockNumber'), blockBefore);

    const tooMany = (await rpc(Array.from({ length: 101 }, (_, id) => one('eth_chainId', [], id))))
      .body as RpcAnswer;
    assert.equal(tooMany.error?.data?.reason, 'batch_too_large');
    const full = (await rpc(Array.from({ length: 100 }, (_, id) => one('eth_chainId', [], id))))
      .body as RpcAnswer[];
    assert.deepEqual(
      full.map((answer) => answer.id),
      Array.from({ length: 100 }, (_, id) => id),
    );

    const foreign = await rpc(one('eth_chainId'), { headers: { origin: 'http://evil.example' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${gateway.url}/rpc`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });

  it('rate limits a flood from one address with 429 rate_limited and Retry-After', async () => {
    const batch = Array.from({ length: 100 }, (_, id) => one('eth_blockNumber', [], id));
    let limited: Awaited<ReturnType<typeof rpc>> | undefined;
    for (let sent = 0; sent < 30 && !limited; sent++) {
      const response = await rpc(batch);
      if (response.status === 429) limited = response;
      else assert.equal(response.status, 200);
    }
    assert.ok(limited, 'a flood of 3,000 calls was never limited');
    assert.equal((limited.body as { error: { code: string } }).error.code, 'rate_limited');
    assert.match(limited.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  });
});
