/**
 * The embedded chain cannot be reached around its gateway. A real `medledger start` on its embedded
 * anvil; a patient grants a doctor access and revokes it. Then every TCP port that the gateway or
 * any of its descendants listens on in this network namespace gets the calls that undid a
 * revocation once (evm_snapshot and evm_revert, anvil_setStorageAt, anvil_impersonateAccount,
 * eth_sendTransaction from an unlocked account, evm_mine) at `/` and `/rpc`, with and without a
 * foreign Origin, as JSON and as text/plain. None may run: the chain, read through its own socket,
 * is as it was, the consent is still revoked and the doctor still denied. The data directory is
 * private.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { consentsAbi } from '@medledger/contracts';
import { createLedgerPublicClient } from '@medledger/ledger';
import { ledgerEndpoint, sendRpcCalls } from '@medledger/ledger-node';
import type { Address, Hex } from 'viem';
import { labObservation, newPeople, type Person, setUpHospital, writeJsonFile } from './helpers/people.ts';
import {
  type Cli,
  cleanUp,
  cliFor,
  type GatewayProcess,
  sleep,
  startGatewayProcess,
  temporaryDirectory,
} from './helpers/processes.ts';

interface ListeningPort {
  pid: number;
  host: string;
  port: number;
}

describe('the embedded chain is locked down', () => {
  let gateway: GatewayProcess;
  let cli: Cli;
  let doctor: Person;
  let patient: Person;
  let grantId: number;
  let recordId: Hex;
  let chainUrl: string;
  let consents: Address;

  /** A call to the chain through its own socket, as only the data directory's owner can make. */
  const direct = async (method: string, params: unknown[] = []) => {
    const [outcome] = await sendRpcCalls(chainUrl, [{ method, params }]);
    if (!outcome || 'error' in outcome) throw new Error(`${method} failed on the chain itself`);
    return outcome.result;
  };
  const grantIsRevoked = async () =>
    (
      await createLedgerPublicClient(ledgerEndpoint(chainUrl), 31337).readContract({
        address: consents,
        abi: consentsAbi,
        functionName: 'grantOf',
        args: [BigInt(grantId)],
      })
    ).revoked;
  const doctorReads = () => cli.run('record', 'get', recordId, '--as', doctor.keyFile);

  before(async () => {
    const dataDir = await temporaryDirectory('lockdown');
    const work = await temporaryDirectory('lockdown-files');
    // Audit anchoring only at start and stop: no block is mined behind the test's back.
    gateway = await startGatewayProcess({ dataDir, args: ['--audit-anchor-interval', '86400'] });
    chainUrl = `ipc://${join(dataDir, 'chain', 'anvil.ipc')}`;
    cli = cliFor(gateway.url);
    let admin: Person;
    [admin, doctor, patient] = await newPeople(cli, work, ['admin', 'doctor', 'patient']);
    await setUpHospital(cli, { admin, doctors: [doctor], patients: [patient] });
    ({ grantId } = await cli.json<{ grantId: number }>(
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
    ));
    const file = await writeJsonFile(work, 'lab.json', labObservation(patient.address, 104));
    ({ recordId } = await cli.json<{ recordId: Hex }>(
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
    ));
    assert.equal((await doctorReads()).code, 0, 'the doctor reads while the consent holds');
    await cli.json('consent', 'revoke', String(grantId), '--as', patient.keyFile);
    assert.equal((await doctorReads()).code, 3, 'the doctor is denied once it is revoked');
    consents = (await (await fetch(`${gateway.url}/api/ledger`)).json()).contracts.consents;
    assert.equal(await grantIsRevoked(), true);
  });

  after(cleanUp);

  test('the gateway alone listens on this host, and anvil only inside its own network namespace', () => {
    const ports = listeningPorts(gateway.pid);
    assert.deepEqual(
      ports.map(({ pid, port }) => ({ pid, port })),
      [{ pid: gateway.pid, port: Number(new URL(gateway.url).port) }],
    );
    assert.ok(gateway.anvilPid, 'the embedded anvil runs');
    assert.ok(descendantsOf(gateway.pid).includes(gateway.anvilPid));
    assert.notEqual(
      readlinkSync(`/proc/${gateway.anvilPid}/ns/net`),
      readlinkSync(`/proc/${gateway.pid}/ns/net`),
      'anvil has a network namespace of its own',
    );
    const ownNamespace = listeningSockets(`/proc/${gateway.anvilPid}/net`);
    assert.ok(
      socketInodesOf(gateway.anvilPid).some((inode) => ownNamespace.has(inode)),
      'anvil listens on HTTP, but only in its namespace',
    );
  });

  test('no listening port runs a chain-changing call, from any origin, in any content type', async () => {
    const [account] = (await direct('eth_accounts')) as Address[];
    const slot = `0x${'00'.repeat(32)}`;
    const before = {
      block: await direct('eth_blockNumber'),
      nonce: await direct('eth_getTransactionCount', [account, 'latest']),
      storage: await direct('eth_getStorageAt', [consents, slot, 'latest']),
    };
    const attacks: [string, unknown[]][] = [
      ['evm_snapshot', []],
      ['evm_revert', ['0x0']],
      ['evm_revert', ['0x1']],
      ['anvil_setStorageAt', [consents, slot, `0x${'ff'.repeat(32)}`]],
      ['anvil_impersonateAccount', [patient.address]],
      ['eth_sendTransaction', [{ from: account, to: patient.address, value: '0x1' }]],
      ['eth_sendTransaction', [{ from: patient.address, to: consents, data: '0x' }]],
      ['evm_mine', []],
    ];
    const answers: { what: string; status: number; allowOrigin: string | null; body: string }[] = [];
    for (const { host, port } of listeningPorts(gateway.pid)) {
      for (const path of ['/', '/rpc']) {
        for (const origin of [undefined, 'http://evil.example']) {
          for (const contentType of ['application/json', 'text/plain']) {
            for (const [method, params] of attacks) {
              const response = await fetch(`http://${host}:${port}${path}`, {
                method: 'POST',
                headers: { 'content-type': contentType, ...(origin ? { origin } : {}) },
                body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
              });
              answers.push({
                what: `${method} at ${host}:${port}${path} (${contentType}, origin ${origin ?? 'none'})`,
                status: response.status,
                allowOrigin: response.headers.get('access-control-allow-origin'),
                body: await response.text(),
              });
            }
          }
        }
      }
    }
    assert.equal(answers.length, 2 * 2 * 2 * attacks.length);
    for (const answer of answers) {
      assert.doesNotMatch(answer.body, /"result"/, answer.what);
      assert.notEqual(answer.allowOrigin, '*', answer.what);
      if (answer.what.includes('evil.example')) assert.equal(answer.allowOrigin, null, answer.what);
    }
    const refusedAsJsonRpc = answers.filter((a) => a.what.includes('/rpc (application/json'));
    assert.ok(refusedAsJsonRpc.every((a) => /"method_not_allowed"/.test(a.body)));

    assert.equal(await direct('eth_blockNumber'), before.block, 'no block was mined');
    assert.equal(await direct('eth_getTransactionCount', [account, 'latest']), before.nonce);
    assert.equal(await direct('eth_getStorageAt', [consents, slot, 'latest']), before.storage);
    // The chain's first snapshot is 0x0: the attacks took none (so had none to revert to).
    const snapshot = await direct('evm_snapshot');
    assert.equal(snapshot, '0x0');
    await direct('evm_revert', [snapshot]);
    assert.equal(await grantIsRevoked(), true, 'the revocation stands');
    const read = await doctorReads();
    assert.equal(read.code, 3, `the doctor is still denied: ${read.stderr}`);
  });

  test('the web app may connect to this gateway and the consortium’s, never to the chain', async () => {
    const response = await fetch(`${gateway.url}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    const connect = /connect-src ([^;]*)/.exec(csp)?.[1]?.split(' ') ?? [];
    assert.deepEqual(connect, ["'self'", new URL(gateway.url).origin]);
  });

  test('the data directory is private: 0700, the database, its WAL, the chain state and the keys 0600', async () => {
    const dataDir = gateway.dataDir;
    const statePath = join(dataDir, 'chain', 'state.json');
    for (let waited = 0; !existsSync(statePath) && waited < 20_000; waited += 100) await sleep(100);
    assert.equal(modeOf(dataDir), 0o700);
    assert.equal(modeOf(join(dataDir, 'chain')), 0o700);
    assert.equal(modeOf(join(dataDir, 'keys')), 0o700);
    for (const file of [
      'gateway.sqlite',
      'gateway.sqlite-wal',
      'gateway.sqlite-shm',
      'chain/state.json',
      'chain/anvil.ipc',
      'keys/relayer.json',
      'keys/custodian.json',
      'keys/second-factor.json',
    ]) {
      assert.equal(
        modeOf(join(dataDir, file)) & 0o077,
        0,
        `${file} is ${modeOf(join(dataDir, file)).toString(8)}`,
      );
    }
  });
});

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** Every process below `pid`, from each process's parent in /proc. */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  for (const queue = [pid]; queue.length; ) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function socketInodesOf(pid: number): string[] {
  const inodes: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.push(inode);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** LISTEN sockets of a network namespace (its /proc/PID/net), by inode: where they listen. */
function listeningSockets(netDirectory: string): Map<string, { host: string; port: number }> {
  const sockets = new Map<string, { host: string; port: number }>();
  for (const [file, ipv6] of [
    ['tcp', false],
    ['tcp6', true],
  ] as const) {
    const lines = readFileSync(join(netDirectory, file), 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const columns = line.trim().split(/\s+/);
      if (columns[3] !== '0A') continue; // TCP_LISTEN
      const [address, port] = (columns[1] ?? '').split(':');
      // IPv6 listeners (on :: or ::1) are reached at ::1; IPv4 ones at their address, 0.0.0.0 at 127.0.0.1.
      const host = ipv6
        ? '[::1]'
        : address === '00000000'
          ? '127.0.0.1'
          : (address?.match(/../g) ?? [])
              .reverse()
              .map((byte) => Number.parseInt(byte, 16))
              .join('.');
      sockets.set(columns[9] ?? '', { host, port: Number.parseInt(port ?? '', 16) });
    }
  }
  return sockets;
}

/** The TCP ports the gateway and its descendants listen on in the gateway's (the host's) namespace. */
function listeningPorts(gatewayPid: number): ListeningPort[] {
  const hostSockets = listeningSockets(`/proc/${gatewayPid}/net`);
  const ports: ListeningPort[] = [];
  for (const pid of [gatewayPid, ...descendantsOf(gatewayPid)]) {
    for (const inode of socketInodesOf(pid)) {
      const socket = hostSockets.get(inode);
      if (socket) ports.push({ pid, ...socket });
    }
  }
  return ports;
}
