/**
 * anvil started with `anvilMemoryOnlyHistory` leaves nothing on disk, even when killed: left to
 * itself it writes its past states under `$HOME/.foundry/anvil/tmp` and keeps them after SIGKILL,
 * which filled this machine's disk (75 GB over a day of test runs) before the flag was added.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { anvilBinaryPath, anvilMemoryOnlyHistory } from './embeddedChain.ts';
import { freePort } from './freePort.ts';
import { sendRpcCalls } from './rpcEndpoint.ts';

/** Starts anvil with `HOME` at `home`, mines `blocks` blocks and kills it with SIGKILL. */
async function mineAndKill(home: string, extraArgs: readonly string[], blocks: number): Promise<void> {
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(anvilBinaryPath(), ['--port', String(port), '--silent', ...extraArgs], {
    env: { ...process.env, HOME: home },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 30_000;
    while (
      !(await sendRpcCalls(rpcUrl, [{ method: 'eth_chainId' }]).then(
        () => true,
        () => false,
      ))
    ) {
      assert.ok(Date.now() < deadline, 'anvil did not answer within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [mined] = await sendRpcCalls(rpcUrl, [
      { method: 'anvil_mine', params: [`0x${blocks.toString(16)}`] },
    ]);
    assert.ok(mined && 'result' in mined, 'anvil_mine failed');
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

async function statesLeftUnder(home: string): Promise<string[]> {
  return readdir(join(home, '.foundry', 'anvil', 'tmp')).catch(() => []);
}

test('anvil keeps its past states in memory only and leaves no files behind when killed', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'anvil-home-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  await mineAndKill(home, anvilMemoryOnlyHistory, 800);
  assert.deepEqual(await statesLeftUnder(home), []);
});

test('without the flag anvil does leave its states on disk: what the test above guards against', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'anvil-home-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  await mineAndKill(home, [], 800);
  assert.equal((await statesLeftUnder(home)).length, 1);
});
