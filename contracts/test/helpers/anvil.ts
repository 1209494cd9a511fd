/**
 * A real anvil node for the contract tests: started on a free port, stopped after the suite.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const anvilBinary = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil',
);

export interface Anvil {
  rpcUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts anvil (chain id 31337, its default accounts unlocked, automine) and resolves once it answers.
 *
 * @example
 * const anvil = await startAnvil();
 * after(() => anvil.stop());
 */
export async function startAnvil(): Promise<Anvil> {
  const port = await freePort();
  // Past states in memory only, as `anvilMemoryOnlyHistory` in ledger-node says why (not imported:
  // ledger-node depends on this package).
  const args = [
    '--port',
    String(port),
    '--silent',
    '--gas-limit',
    '1000000000',
    '--max-persisted-states',
    '0',
  ];
  const child = spawn(anvilBinary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const rpcUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(rpcUrl, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`anvil did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { rpcUrl, stop: () => stop(child) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(rpcUrl: string, child: ChildProcess): Promise<void> {
  const startedAt = Date.now();
  while (Date.now() - startedAt < 15_000) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const response = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out');
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
