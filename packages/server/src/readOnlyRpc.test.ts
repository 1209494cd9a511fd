import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readOnlyRpcLimits } from '@medledger/core';
import type { JsonRpcCall, JsonRpcOutcome } from '@medledger/ledger';
import { answerReadOnlyRpc, maxCallGas, readOnlyRpcMethods } from './readOnlyRpc.ts';

/** A chain at block 10,000 that echoes each call back (but a bare eth_blockNumber) and remembers what reached it. */
function fakeChain() {
  const forwarded: JsonRpcCall[] = [];
  const forward = async (calls: readonly JsonRpcCall[]): Promise<JsonRpcOutcome[]> => {
    forwarded.push(...calls);
    return calls.map((call) =>
      call.method === 'eth_blockNumber' && !(call.params as unknown[]).length
        ? { result: '0x2710' }
        : { result: { echo: call } },
    );
  };
  return { forward, forwarded };
}

const call = (method: string, params: unknown[] = [], id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method,
  params,
});

describe('the read-only JSON-RPC allowlist', () => {
  test('every allowed read is forwarded as it came, with the caller’s id', async () => {
    const chain = fakeChain();
    for (const method of readOnlyRpcMethods) {
      if (method === 'eth_getLogs' || method === 'eth_call') continue;
      const answer = await answerReadOnlyRpc(chain.forward, call(method, ['0x1'], `id-${method}`));
      assert.deepEqual(answer, {
        jsonrpc: '2.0',
        id: `id-${method}`,
        result: { echo: { method, params: ['0x1'] } },
      });
    }
  });

  test('writes, signing, node administration and development methods never reach the chain', async () => {
    const chain = fakeChain();
    const forbidden = [
      'evm_snapshot',
      'evm_revert',
      'evm_mine',
      'evm_increaseTime',
      'anvil_setStorageAt',
      'anvil_impersonateAccount',
      'anvil_setBalance',
      'hardhat_setStorageAt',
      'debug_traceTransaction',
      'personal_sign',
      'personal_unlockAccount',
      'eth_sendTransaction',
      'eth_sendRawTransaction',
      'eth_sign',
      'eth_signTypedData_v4',
      'eth_accounts',
      'eth_estimateGas',
      'eth_newFilter',
      'eth_subscribe',
      'admin_addPeer',
      'admin_nodeInfo',
      'txpool_content',
      'miner_start',
      'qbft_proposeValidatorVote',
      'ETH_CHAINID',
    ];
    for (const method of forbidden) {
      const answer = await answerReadOnlyRpc(chain.forward, call(method, [], 7));
      assert.deepEqual(answer, {
        jsonrpc: '2.0',
        id: 7,
        error: {
          code: -32601,
          message: `Method ${method} is not allowed here: this endpoint serves chain reads only.`,
          data: { reason: 'method_not_allowed' },
        },
      });
    }
    assert.deepEqual(chain.forwarded, []);
  });

  test('a batch answers each call in order; refused ones do not stop the others', async () => {
    const chain = fakeChain();
    const answer = (await answerReadOnlyRpc(chain.forward, [
      call('eth_chainId', [], 'a'),
      call('evm_revert', ['0x1'], 'b'),
      call('eth_getCode', ['0x00', 'latest'], 'c'),
      { jsonrpc: '1.0', id: 'd', method: 'eth_chainId' },
      'not a call',
    ])) as { id: unknown; result?: unknown; error?: { data: { reason: string } } }[];
    assert.deepEqual(
      answer.map((item) => [item.id, item.error?.data.reason ?? 'ok']),
      [
        ['a', 'ok'],
        ['b', 'method_not_allowed'],
        ['c', 'ok'],
        ['d', 'invalid_request'],
        [null, 'invalid_request'],
      ],
    );
    assert.deepEqual(
      chain.forwarded.map((forwarded) => forwarded.method),
      ['eth_chainId', 'eth_getCode'],
    );
  });

  test('a batch larger than the limit, or empty, is refused whole', async () => {
    const chain = fakeChain();
    const tooMany = Array.from({ length: readOnlyRpcLimits.maxBatchCalls + 1 }, (_, id) =>
      call('eth_chainId', [], id),
    );
    const answer = (await answerReadOnlyRpc(chain.forward, tooMany)) as {
      error: { data: { reason: string } };
    };
    assert.equal(answer.error.data.reason, 'batch_too_large');
    const empty = (await answerReadOnlyRpc(chain.forward, [])) as { error: { data: { reason: string } } };
    assert.equal(empty.error.data.reason, 'invalid_request');
    assert.deepEqual(chain.forwarded, []);
    const full = Array.from({ length: readOnlyRpcLimits.maxBatchCalls }, (_, id) =>
      call('eth_chainId', [], id),
    );
    assert.equal(((await answerReadOnlyRpc(chain.forward, full)) as unknown[]).length, 100);
  });

  test('eth_getLogs is bounded: explicit numbers or tags within 5,000 blocks, or one block hash', async () => {
    const chain = fakeChain();
    const logs = async (filter: Record<string, unknown>) =>
      (await answerReadOnlyRpc(chain.forward, call('eth_getLogs', [filter]))) as {
        result?: { echo: JsonRpcCall };
        error?: { code: number; data: { reason: string } };
      };
    // The latest block is 10,000 (0x2710).
    const explicit = await logs({ address: '0x01', fromBlock: '0x1', toBlock: '0x1388' });
    assert.deepEqual(explicit.result?.echo.params, [
      { address: '0x01', fromBlock: '0x1', toBlock: '0x1388' },
    ]);
    const tags = await logs({ fromBlock: '0x1391', toBlock: 'latest' });
    assert.deepEqual(tags.result?.echo.params, [{ fromBlock: '0x1391', toBlock: '0x2710' }]);
    const defaults = await logs({ topics: [] });
    assert.deepEqual(defaults.result?.echo.params, [{ topics: [], fromBlock: '0x2710', toBlock: '0x2710' }]);
    const byHash = await logs({ blockHash: `0x${'ab'.repeat(32)}` });
    assert.ok(byHash.result);

    for (const [filter, reason] of [
      [{ fromBlock: '0x0', toBlock: 'latest' }, 'log_range_too_wide'],
      [{ fromBlock: 'earliest' }, 'log_range_too_wide'],
      [{ fromBlock: '0x1', toBlock: '0x1389' }, 'log_range_too_wide'],
      [{ fromBlock: 'yesterday', toBlock: 'latest' }, 'invalid_params'],
      [{ fromBlock: 1, toBlock: 2 }, 'invalid_params'],
      [{ blockHash: `0x${'ab'.repeat(32)}`, fromBlock: '0x1' }, 'invalid_params'],
    ] as const) {
      const refused = await logs(filter);
      assert.equal(refused.error?.code, -32602, JSON.stringify(filter));
      assert.equal(refused.error?.data.reason, reason, JSON.stringify(filter));
    }
    assert.ok(!chain.forwarded.some((f) => f.method === 'eth_getLogs' && f.params === undefined));
    assert.equal(chain.forwarded.filter((f) => f.method === 'eth_getLogs').length, 4);
  });

  test('eth_call gas is capped', async () => {
    const chain = fakeChain();
    const sent = async (callObject: Record<string, unknown>) => {
      const answer = (await answerReadOnlyRpc(chain.forward, call('eth_call', [callObject, 'latest']))) as {
        result: { echo: { params: [Record<string, unknown>, string] } };
      };
      return answer.result.echo.params[0];
    };
    const cap = `0x${maxCallGas.toString(16)}`;
    assert.equal((await sent({ to: '0x01', data: '0x' })).gas, cap);
    assert.equal((await sent({ to: '0x01', gas: '0x77359400' })).gas, cap);
    assert.equal((await sent({ to: '0x01', gas: '0x5208' })).gas, '0x5208');
  });

  test('the node’s own errors (a revert with its data) pass through', async () => {
    const revert = { code: 3, message: 'execution reverted', data: '0x08c379a0' };
    const answer = await answerReadOnlyRpc(
      async (calls) => calls.map(() => ({ error: revert })),
      call('eth_call', [{ to: '0x01' }, 'latest'], 9),
    );
    assert.deepEqual(answer, { jsonrpc: '2.0', id: 9, error: revert });
  });
});
