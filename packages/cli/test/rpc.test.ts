/**
 * `medledger start --rpc URL`: gateways on a chain they do not own. The chain outlives them, and a
 * second gateway on the same data directory finds everything the first one did. A node that
 * serves administrative JSON-RPC is refused unless `--allow-admin-rpc` says it is a development chain.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Consent, LedgerInfo, RecordAdded, RecordMetadata } from '@medledger/client';
import {
  type EmbeddedChain,
  freePort,
  type HttpAnvil,
  sendRpcCalls,
  startEmbeddedChain,
  startHttpAnvil,
} from '@medledger/ledger-node';
import { labObservation, newPeople, setUpHospital, writeJsonFile } from './helpers/people.ts';
import {
  cleanUp,
  cliFor,
  runMedledger,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

async function blockNumber(rpcUrl: string): Promise<number> {
  const [outcome] = await sendRpcCalls(rpcUrl, [{ method: 'eth_blockNumber', params: [] }]);
  return Number((outcome as { result: string }).result);
}

async function ledgerInfo(gatewayUrl: string): Promise<LedgerInfo> {
  return (await (await fetch(`${gatewayUrl}/api/ledger`)).json()) as LedgerInfo;
}

describe('gateways on an existing chain (--rpc)', () => {
  let chain: EmbeddedChain;
  let dataDir: string;
  let work: string;

  before(async () => {
    chain = await startEmbeddedChain({ directory: await temporaryDirectory('rpc-chain') });
    dataDir = await temporaryDirectory('rpc-data');
    work = await temporaryDirectory('rpc-files');
  });

  after(async () => {
    await cleanUp();
    await chain?.stop();
  });

  test('the chain outlives a gateway, and the next gateway on the same data directory finds everything', async () => {
    const first = await startGatewayProcess({ dataDir, rpcUrl: chain.rpcUrl });
    let cli = cliFor(first.url);
    const [admin, doctor, patient] = await newPeople(cli, work, ['admin', 'doctor', 'patient']);
    await setUpHospital(cli, { admin, doctors: [doctor], patients: [patient] });
    const { grantId } = await cli.json<{ grantId: number }>(
      'consent',
      'grant',
      '--as',
      patient.keyFile,
      '--to',
      doctor.address,
      '--categories',
      'lab',
      '--actions',
      'read,append',
      '--expires',
      '1h',
    );
    const resource = labObservation(patient.address, 112);
    const file = await writeJsonFile(work, 'lab.json', resource);
    const added = await cli.json<RecordAdded>(
      'record',
      'add',
      '--as',
      doctor.keyFile,
      '--patient',
      patient.address,
      '--category',
      'lab',
      '--file',
      file,
    );
    const readNow = await cli.run('record', 'get', added.recordId, '--as', doctor.keyFile);
    assert.equal(readNow.code, 0, readNow.stderr);
    assert.deepEqual(JSON.parse(readNow.stdout), resource);
    const infoBefore = await ledgerInfo(first.url);
    // Clients read the chain through the gateway's read-only endpoint; the chain's socket stays private.
    assert.equal(infoBefore.rpcUrl, `${first.url}/rpc`);

    const exit = await first.stop('SIGINT');
    assert.deepEqual(exit, { code: 0, signal: null }, first.output().stderr);
    assert.ok(await blockNumber(chain.rpcUrl).then((n) => n >= added.blockNumber), 'the chain still answers');
    assert.ok(!existsSync(join(dataDir, 'chain')), 'no embedded chain was started');

    const second = await startGatewayProcess({ dataDir, rpcUrl: chain.rpcUrl });
    cli = cliFor(second.url);
    assert.deepEqual((await ledgerInfo(second.url)).contracts, infoBefore.contracts);
    const [records, consents, read, verification] = await Promise.all([
      cli.json<{ records: RecordMetadata[] }>(
        'record',
        'list',
        '--as',
        patient.keyFile,
        '--patient',
        patient.address,
      ),
      cli.json<{ given: Consent[] }>('consent', 'list', '--as', patient.keyFile),
      cli.run('record', 'get', added.recordId, '--as', doctor.keyFile),
      cli.run('--json', 'verify'),
    ]);
    assert.deepEqual(
      records.records.map((r) => [r.recordId, r.cid, r.category]),
      [[added.recordId, added.cid, 'lab']],
    );
    assert.deepEqual(
      consents.given.map((c) => [c.grantId, c.status]),
      [[grantId, 'active']],
    );
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(JSON.parse(read.stdout), resource);
    assert.equal(verification.code, 0, `${verification.stderr}${verification.stdout}`);
    assert.equal((JSON.parse(verification.stdout) as { checkedRecords: number }).checkedRecords, 1);
    await second.stop('SIGINT');
  });

  test('a gateway whose --rpc answers nothing fails with a clear error', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const result = await runMedledger(
      [
        'start',
        '--rpc',
        nowhere,
        '--data',
        await temporaryDirectory('rpc-nowhere'),
        '--port',
        String(await freePort()),
      ],
      { timeoutMs: 30_000 },
    );
    assert.equal(result.signal, null, 'it exits by itself');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, new RegExp(`^error: No chain answers at ${nowhere}\\.`));

    const malformed = await runMedledger(['start', '--rpc', 'localhost:8545', '--data', work]);
    assert.equal(malformed.code, 2, malformed.stderr);
    assert.match(malformed.stderr, /--rpc must be an http\(s\) URL or an IPC socket/);
  });
});

describe('a node that serves administrative JSON-RPC (--rpc)', () => {
  let url: string;
  let node: HttpAnvil;

  before(async () => {
    // A bare anvil on HTTP: evm_*, anvil_* and ten unlocked accounts for whoever reaches it.
    node = await startHttpAnvil();
    url = node.rpcUrl;
  });

  after(async () => {
    await cleanUp();
    await node?.stop();
  });

  test('is refused at start with admin_rpc_exposed, naming what answered, before anything is sent to it', async () => {
    const refused = await runMedledger([
      '--json',
      'start',
      '--rpc',
      url,
      '--data',
      await temporaryDirectory('rpc-admin-refused'),
      '--port',
      String(await freePort()),
    ]);
    assert.equal(refused.code, 2, refused.stderr);
    const { error } = JSON.parse(refused.stderr.trim().split('\n').at(-1) ?? '') as {
      error: { code: string; reason: string; message: string; details: string };
    };
    assert.equal(error.code, 'invalid_input');
    assert.equal(error.reason, 'admin_rpc_exposed');
    assert.deepEqual(error.details.split(', ').sort(), [
      'anvil_nodeInfo',
      'eth_accounts',
      'hardhat_metadata',
      'txpool_status',
    ]);
    assert.equal(await blockNumber(url), 0, 'nothing was deployed or funded');
  });

  test('starts with --allow-admin-rpc, and says loudly what it accepted', async () => {
    const gateway = await startGatewayProcess({
      dataDir: await temporaryDirectory('rpc-admin-allowed'),
      rpcUrl: url,
      args: ['--allow-admin-rpc'],
    });
    assert.equal((await fetch(`${gateway.url}/api/health`)).status, 200);
    assert.match(
      gateway.output().stderr,
      /SECURITY WARNING: The node at http:\/\/127\.0\.0\.1:\d+ answers administrative JSON-RPC \([^)]*anvil_nodeInfo/,
    );
    await gateway.stop('SIGINT');
  });
});
