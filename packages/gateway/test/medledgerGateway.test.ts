/**
 * `medledger-gateway` as a process: its command line, and `--demo-consortium` set up, stopped by
 * SIGTERM and started again on the same data. A single gateway is started through `medledger
 * start` by the CLI's tests (packages/cli/test/helpers/processes.ts).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseKeyFile } from '@medledger/core';
import { freePort } from '@medledger/ledger-node';
import { Command } from 'commander';
import { withStartOptions } from '../src/options.ts';

const bin = fileURLToPath(new URL('../bin/medledger-gateway.ts', import.meta.url));

/** The environment without the variables that would override the flags the tests give. */
function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('MEDLEDGER_') || name === 'PORT') delete env[name];
  }
  return env;
}

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnGateway(args: string[]): Running {
  const child = spawn(process.execPath, [bin, ...args], {
    env: childEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function run(args: string[]) {
  const running = spawnGateway(args);
  const exit = await running.exited;
  return { ...exit, stdout: running.stdout(), stderr: running.stderr() };
}

const directories: string[] = [];
const children: ChildProcess[] = [];

after(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

describe('the command line', () => {
  test('--help names every start option, as `medledger start --help` does', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: medledger-gateway \[options\]/);
    for (const option of withStartOptions(new Command()).options) {
      assert.ok(result.stdout.includes(option.flags), `--help names ${option.flags}`);
    }
  });

  test('an unknown option exits 2; an invalid one exits 2 with the error as JSON under --json', async () => {
    const unknown = await run(['--no-such-option']);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /unknown option/);

    const invalid = await run(['--json', '--rpc', 'localhost:8545', '--data', tmpdir()]);
    assert.equal(invalid.code, 2, invalid.stderr);
    const { error } = JSON.parse(invalid.stderr.trim().split('\n').at(-1) ?? '') as {
      error: { code: string; message: string };
    };
    assert.equal(error.code, 'invalid_input');
    assert.match(error.message, /--rpc must be an http\(s\) URL or an IPC socket/);
  });
});

describe('--demo-consortium', () => {
  /** Starts the demo, waits for its --json summary, and returns it with a stop function. */
  async function startDemo(dataDir: string, port: number) {
    const demo = spawnGateway(['--json', '--demo-consortium', '--data', dataDir, '--port', String(port)]);
    children.push(demo.child);
    const deadline = Date.now() + 180_000;
    while (!demo.stdout().trim().endsWith('}')) {
      if (demo.child.exitCode !== null) assert.fail(`the demo exited at start:\n${demo.stderr()}`);
      if (Date.now() > deadline) assert.fail(`the demo was not up within 180 s:\n${demo.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const summary = JSON.parse(demo.stdout()) as {
      rpcUrl: string;
      gateways: { name: string; url: string; adminKeyFile: string }[];
    };
    return {
      summary,
      async stop() {
        demo.child.kill('SIGTERM');
        return demo.exited;
      },
    };
  }

  async function consortiumOf(url: string) {
    const { organisations } = (await (await fetch(`${url}/api/organisations`)).json()) as {
      organisations: { name: string; status: string; gatewayUrl: string }[];
    };
    const { custody } = (await (await fetch(`${url}/api/ledger`)).json()) as {
      custody: { version: number; threshold: number; custodians: number[] };
    };
    return { organisations, custody };
  }

  test('three hospitals set up as a consortium, stopped by SIGTERM, found as they were on the next start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'medledger-gateway-test-demo-'));
    directories.push(dataDir);
    const port = await freePort(3);

    const first = await startDemo(dataDir, port);
    assert.deepEqual(
      first.summary.gateways.map((gateway) => gateway.url),
      [0, 1, 2].map((index) => `http://127.0.0.1:${port + index}`),
    );
    for (const gateway of first.summary.gateways) {
      assert.equal((await fetch(`${gateway.url}/api/health`)).status, 200, gateway.url);
      assert.equal((await stat(gateway.adminKeyFile)).mode & 0o777, 0o600, gateway.adminKeyFile);
      parseKeyFile(await readFile(gateway.adminKeyFile, 'utf8'));
    }
    const before = await consortiumOf(first.summary.gateways[0]!.url);
    assert.deepEqual(
      before.organisations.map((organisation) => [
        organisation.name,
        organisation.status,
        organisation.gatewayUrl,
      ]),
      first.summary.gateways.map((gateway) => [gateway.name, 'active', gateway.url]),
    );
    assert.deepEqual(before.custody, { custodians: [1, 2, 3], threshold: 2, version: 1 });
    assert.deepEqual(await first.stop(), { code: 0, signal: null });
    assert.ok(!existsSync(join(dataDir, 'chain', 'anvil.pid')), 'the chain stopped with the demo');

    const second = await startDemo(dataDir, port);
    assert.deepEqual(await consortiumOf(second.summary.gateways[2]!.url), before);
    assert.deepEqual(await second.stop(), { code: 0, signal: null });
  });
});
