/**
 * A bare anvil on a local HTTP port, for tests and tools: every method (evm_*, anvil_*, ten unlocked
 * accounts) is open to whoever reaches it, so a gateway's own chain is never one
 * (`startEmbeddedChain` is). Stopped with its parent at the latest.
 */
import { anvilBinaryPath, anvilMemoryOnlyHistory, spawnWithParentDeathSignal } from './embeddedChain.ts';
import { freePort } from './freePort.ts';
import { sendRpcCalls } from './rpcEndpoint.ts';

export interface HttpAnvil {
  /** `http://127.0.0.1:PORT`. */
  rpcUrl: string;
  /** Stops anvil and waits until it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts anvil on a free port and resolves once it answers.
 *
 * @example
 * const node = await startHttpAnvil();
 * try { await sendRpcCalls(node.rpcUrl, [{ method: 'eth_chainId' }]); } finally { await node.stop(); }
 */
export async function startHttpAnvil(): Promise<HttpAnvil> {
  const port = await freePort();
  const node = spawnWithParentDeathSignal(anvilBinaryPath(), [
    '--port',
    String(port),
    ...anvilMemoryOnlyHistory,
    '--silent',
  ]);
  const exited = new Promise((resolve) => node.once('exit', resolve));
  const rpcUrl = `http://127.0.0.1:${port}`;
  const answers = () =>
    sendRpcCalls(rpcUrl, [{ method: 'eth_chainId' }]).then(
      () => true,
      () => false,
    );
  const deadline = Date.now() + 30_000;
  while (!(await answers())) {
    if (Date.now() > deadline) {
      node.kill('SIGTERM');
      throw new Error(`anvil did not answer on ${rpcUrl} within 30 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    rpcUrl,
    async stop() {
      node.kill('SIGTERM');
      await exited;
    },
  };
}
