import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LedgerUnavailableError } from '@medledger/core';
import { asLedgerError, createLedgerPublicClient } from '@medledger/ledger';
import { type BaseError, createPublicClient, RpcRequestError } from 'viem';
import { type EmbeddedChain, startEmbeddedChain } from './embeddedChain.ts';
import { ipc } from './ipcTransport.ts';
import { ipcSocketPathOf, ledgerEndpoint, sendRpcCalls } from './rpcEndpoint.ts';

describe('the IPC transport on the embedded chain', () => {
  let directory: string;
  let chain: EmbeddedChain;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'medledger-ipc-'));
    chain = await startEmbeddedChain({ directory: join(directory, 'chain') });
  });
  after(async () => {
    await chain?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  test('anvil answers on its socket, in a directory only its owner can enter', () => {
    assert.equal(chain.rpcUrl, `ipc://${join(directory, 'chain', 'anvil.ipc')}`);
    assert.equal(ipcSocketPathOf(chain.rpcUrl), join(directory, 'chain', 'anvil.ipc'));
    assert.equal(statSync(join(directory, 'chain')).mode & 0o777, 0o700);
    // This machine allows network namespaces (as root, or unprivileged user namespaces).
    assert.equal(chain.isolated, true);
  });

  test('many concurrent reads go out in batches and each gets its own answer', async () => {
    const client = createLedgerPublicClient(ledgerEndpoint(chain.rpcUrl), chain.chainId);
    const accounts = (await sendRpcCalls(chain.rpcUrl, [{ method: 'eth_accounts' }]))[0] as {
      result: `0x${string}`[];
    };
    const reads = Array.from({ length: 1_200 }, (_, index) =>
      index % 2
        ? client.getBalance({ address: accounts.result[index % accounts.result.length]! })
        : client.getChainId(),
    );
    const answers = await Promise.all(reads);
    for (const [index, answer] of answers.entries()) {
      if (index % 2) assert.equal(typeof answer, 'bigint');
      else assert.equal(answer, 31337);
    }
  });

  test('a JSON-RPC error comes back as the node gave it', async () => {
    const [outcome] = await sendRpcCalls(chain.rpcUrl, [{ method: 'no_suchMethod', params: [] }]);
    assert.ok(outcome && 'error' in outcome);
    const client = createPublicClient({ transport: ipc(ipcSocketPathOf(chain.rpcUrl)!) });
    await assert.rejects(client.request({ method: 'no_suchMethod' } as never), (error: BaseError) => {
      assert.ok(error.walk((cause) => cause instanceof RpcRequestError));
      return true;
    });
  });

  test('the same client keeps working after the chain restarts on the same socket', async () => {
    const client = createLedgerPublicClient(ledgerEndpoint(chain.rpcUrl), chain.chainId);
    const before = await client.getBlockNumber({ cacheTime: 0 });
    await chain.stop();
    await assert.rejects(client.getBlockNumber({ cacheTime: 0 }), (error) => {
      assert.ok(asLedgerError(error, 'reading') instanceof LedgerUnavailableError);
      return true;
    });
    chain = await startEmbeddedChain({ directory: join(directory, 'chain') });
    assert.equal(await client.getBlockNumber({ cacheTime: 0 }), before);
  });
});

describe('the IPC transport on a socket that misbehaves', () => {
  let directory: string;
  let server: Server;
  const accepted = new Set<Socket>();
  let misbehave: (socket: Socket, line: string) => void = () => undefined;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'medledger-ipc-fake-'));
    server = createServer((socket) => {
      accepted.add(socket);
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => misbehave(socket, chunk));
    });
    await new Promise<void>((resolve) => server.listen(join(directory, 'node.ipc'), resolve));
  });
  after(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });
  const socketPath = () => join(directory, 'node.ipc');

  test('a request that gets no answer times out, as the ledger being unavailable', async () => {
    misbehave = () => undefined;
    const client = createPublicClient({ transport: ipc(socketPath(), { timeoutMs: 200, retryCount: 0 }) });
    const started = Date.now();
    await assert.rejects(client.getChainId(), (error) => {
      assert.equal((error as Error).name, 'TimeoutError');
      assert.ok(asLedgerError(error, 'reading the chain id') instanceof LedgerUnavailableError);
      return true;
    });
    assert.ok(Date.now() - started < 5_000);
  });

  test('a closed socket fails what was under way, and the next request connects again', async () => {
    misbehave = (socket) => socket.destroy();
    const client = createPublicClient({ transport: ipc(socketPath(), { retryCount: 0 }) });
    await assert.rejects(client.getChainId(), { name: 'SocketClosedError' });
    misbehave = (socket, chunk) => {
      const request = JSON.parse(chunk) as { id: number };
      socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: request.id, result: '0x2a' })}\n`);
    };
    assert.equal(await client.getChainId(), 42);
  });

  test('answers in any order, split across chunks, reach their own callers', async () => {
    misbehave = (socket, chunk) => {
      const requests = [chunk]
        .flatMap((text) => JSON.parse(text) as { id: number; params: [string] }[])
        .reverse();
      const text = `${JSON.stringify(requests.map((r) => ({ jsonrpc: '2.0', id: r.id, result: r.params[0] })))}\n`;
      socket.write(text.slice(0, 7));
      setTimeout(() => socket.write(text.slice(7)), 20);
    };
    const path = socketPath();
    const outcomes = await sendRpcCalls(
      path,
      ['a', 'b', 'c'].map((value) => ({ method: 'echo', params: [value] })),
    );
    assert.deepEqual(outcomes, [{ result: 'a' }, { result: 'b' }, { result: 'c' }]);
  });

  test('a long answer in many small chunks, and two answers in one chunk, are each read whole', async () => {
    const long = 'ab'.repeat(4_000_000);
    misbehave = (socket, chunk) => {
      const requests = JSON.parse(chunk) as { id: number }[];
      const [first, second, third] = requests.map((request) => request.id);
      const big = `${JSON.stringify({ jsonrpc: '2.0', id: first, result: long })}\n`;
      const small = [second, third].map((id) => JSON.stringify({ jsonrpc: '2.0', id, result: id }));
      socket.cork();
      for (let offset = 0; offset < big.length; offset += 4_096)
        socket.write(big.slice(offset, offset + 4_096));
      socket.write(`${small.join('\n')}\n`);
      socket.uncork();
    };
    const outcomes = await sendRpcCalls(socketPath(), [{ method: 'dump' }, { method: 'a' }, { method: 'b' }]);
    assert.equal((outcomes[0] as { result: string }).result.length, long.length);
    assert.equal(typeof (outcomes[1] as { result: number }).result, 'number');
    assert.equal(typeof (outcomes[2] as { result: number }).result, 'number');
  });

  test('a missing socket is the ledger being unavailable', async () => {
    await assert.rejects(
      sendRpcCalls(`ipc://${join(directory, 'nothing.ipc')}`, [{ method: 'eth_chainId' }]),
      LedgerUnavailableError,
    );
  });
});
