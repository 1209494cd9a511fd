/**
 * Three gateway processes of one organisation on one PostgreSQL store and one chain, behind one
 * port that hands requests to them in turn, under concurrent writes and reads: every acknowledged
 * record is anchored exactly once, the audit log is numbered and anchored without gaps, the relay
 * journal ends with nothing pending or failed, and no process meets a nonce error.
 *
 * Real parts: anvil over HTTP (shared by the three), Debian's PostgreSQL, three Node processes.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { GatewayClient } from '@medledger/client';
import { createLedgerPublicClient, httpEndpoint, ledgerAbis } from '@medledger/ledger';
import { freePort, type HttpAnvil, readDeployment, startHttpAnvil } from '@medledger/ledger-node';
import pg from 'pg';
import { parseEventLogs } from 'viem';
import { foundConsortium, newMember, newPatient } from './helpers/actors.ts';
import { sharedTestPostgres } from './helpers/postgres.ts';
import { labResult } from './helpers/records.ts';

const gatewayScript = fileURLToPath(new URL('./helpers/gatewayProcess.ts', import.meta.url));

interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Everything it logged (warnings and errors: its log level is `warn`). */
  log: () => string;
}

async function spawnGateway(config: Record<string, unknown>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [gatewayScript, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += String(chunk)));
  child.stderr?.on('data', (chunk) => (output += String(chunk)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const line = output.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the gateway process ended (${code}):\n${output}`)));
  });
  return { url, child, log: () => output };
}

async function stopGateway({ child }: GatewayProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** One address in front of `backends`, handing each request to the next one in turn. */
function roundRobin(port: number, backends: string[]) {
  const served = backends.map(() => 0);
  const serverErrors: string[] = [];
  const removed = new Set<number>();
  let turn = 0;
  const server: Server = createServer((incoming, outgoing) => {
    let index = turn++ % backends.length;
    while (removed.has(index)) index = turn++ % backends.length;
    served[index] = (served[index] ?? 0) + 1;
    const forwarded = request(
      new URL(incoming.url ?? '/', backends[index]),
      // A connection per request: a kept-alive one the backend closed would fail the next request.
      { method: incoming.method, headers: incoming.headers, agent: false },
      (answer) => {
        if ((answer.statusCode ?? 500) >= 500) {
          serverErrors.push(`${answer.statusCode} ${incoming.method} ${incoming.url} (process ${index})`);
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', (error) => {
      serverErrors.push(`502 ${incoming.method} ${incoming.url}: ${error.message}`);
      outgoing.writeHead(502).end();
    });
    incoming.pipe(forwarded);
  });
  return {
    served,
    serverErrors,
    /** Stops handing requests to backend `index` (as a health check would). */
    remove: (index: number) => void removed.add(index),
    listen: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  pauseMs = 100,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

describe('three gateway processes of one organisation on one PostgreSQL, behind one port', () => {
  let chain: HttpAnvil;
  let storeUrl: string;
  let dataDir: string;
  let publicUrl: string;
  let balancer: ReturnType<typeof roundRobin>;
  const processes: GatewayProcess[] = [];
  let hospital: Awaited<ReturnType<typeof foundConsortium>>;
  let doctors: GatewayClient[];
  let patients: GatewayClient[];

  before(async () => {
    [chain, storeUrl, dataDir] = await Promise.all([
      startHttpAnvil(),
      sharedTestPostgres().then((postgres) => postgres.createDatabase()),
      mkdtemp(join(tmpdir(), 'medledger-processes-')),
    ]);
    const balancerPort = await freePort(4);
    const ports = [1, 2, 3].map((n) => balancerPort + n);
    publicUrl = `http://127.0.0.1:${balancerPort}`;
    const config = (port: number) => ({
      dataDir,
      store: storeUrl,
      rpcUrl: chain.rpcUrl,
      allowAdminRpc: true, // anvil, which only this test reaches
      port,
      publicUrl,
      logLevel: 'warn',
      auditAnchorIntervalSeconds: 1,
    });
    // The first deploys the contracts and makes the organisation's keys; the others find them.
    processes.push(await spawnGateway(config(ports[0]!)));
    processes.push(...(await Promise.all(ports.slice(1).map((port) => spawnGateway(config(port))))));
    balancer = roundRobin(
      balancerPort,
      processes.map((p) => p.url),
    );
    await balancer.listen();
  });

  after(async () => {
    await balancer?.close();
    await Promise.all(processes.map(stopGateway));
    await chain?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('anchors every acknowledged record once, numbers the audit log without gaps, and relays without nonce errors', async () => {
    hospital = await foundConsortium(publicUrl);
    doctors = await Promise.all([1, 2, 3].map(() => newMember(publicUrl, hospital)));
    patients = await Promise.all([1, 2, 3, 4].map(() => newPatient(publicUrl, hospital)));
    await Promise.all(
      patients.map((patient) =>
        patient.grantConsent({
          granteeOrganisation: hospital.organisationId,
          categories: ['lab'],
          actions: ['read', 'append'],
          expiresInSeconds: 3600,
        }),
      ),
    );

    // Concurrent writes by every doctor for every patient, each record read back by another doctor.
    const writes: Promise<unknown>[] = [];
    const acknowledged: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const [d, doctor] of doctors.entries()) {
        for (const patient of patients) {
          const reader = doctors[(d + 1) % doctors.length] as GatewayClient;
          writes.push(
            doctor
              .addRecord({
                patient: patient.address,
                category: 'lab',
                resource: labResult(`Haemoglobin ${round}.${d} g/dL`),
              })
              .then(async ({ recordId }) => {
                acknowledged.push(recordId);
                const { resource } = await reader.readRecord(recordId);
                assert.equal(
                  (resource as { code: { text: string } }).code.text,
                  `Haemoglobin ${round}.${d} g/dL`,
                );
              }),
          );
        }
      }
    }
    const outcomes = await Promise.allSettled(writes);
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.deepEqual(
      failed.map((f) => String(f.reason)),
      [],
      'every write and read succeeded',
    );
    assert.equal(acknowledged.length, 48);
    assert.deepEqual(balancer.serverErrors, []);
    for (const [index, served] of balancer.served.entries()) {
      assert.ok(served > 20, `process ${index} answered ${served} requests`);
    }
    const listed = await patients[0]!.listRecords(patients[0]!.address);
    assert.equal(listed.records.length, 12, 'every process lists what the others anchored');

    // On chain: each acknowledged record anchored exactly once.
    const deployment = await readDeployment(join(dataDir, 'deployment.json'));
    assert.ok(deployment);
    const client = createLedgerPublicClient(httpEndpoint(chain.rpcUrl), deployment.chainId);
    const logs = await client.getLogs({
      address: deployment.records,
      fromBlock: deployment.deployedAtBlock,
      toBlock: 'latest',
    });
    const anchored = parseEventLogs({ abi: ledgerAbis.records, logs, eventName: 'RecordAnchored' }).map(
      (event) => event.args.recordId.toLowerCase(),
    );
    const times = new Map<string, number>();
    for (const id of anchored) times.set(id, (times.get(id) ?? 0) + 1);
    for (const id of acknowledged) assert.equal(times.get(id.toLowerCase()), 1, `record ${id} anchored once`);

    // In the shared store: audit events numbered 1..n and, once anchored, in batches without gaps.
    const database = new pg.Client({ connectionString: storeUrl });
    await database.connect();
    try {
      const sequences = (await database.query('SELECT seq FROM audit_events ORDER BY seq')).rows.map((row) =>
        Number(row.seq),
      );
      assert.ok(sequences.length >= 96, `${sequences.length} audit events (a write and a read per record)`);
      assert.deepEqual(
        sequences,
        sequences.map((_, index) => index + 1),
      );
      const batches = await eventually('the audit log anchored', async () => {
        const rows = (
          await database.query('SELECT first_sequence, count FROM audit_batches ORDER BY batch_index')
        ).rows.map((row) => ({ first: Number(row.first_sequence), count: Number(row.count) }));
        const covered = rows.reduce((sum, batch) => sum + batch.count, 0);
        return covered >= sequences.length ? rows : undefined;
      });
      let expected = 0;
      for (const batch of batches) {
        assert.equal(batch.first, expected, 'each batch starts where the last one ended');
        expected += batch.count;
      }
      const journal = (
        await database.query(
          'SELECT status, count(*) AS n FROM relay_journal GROUP BY status ORDER BY status',
        )
      ).rows.map((row) => [row.status, Number(row.n)]);
      assert.deepEqual(
        journal.filter(([status]) => status !== 'mined'),
        [],
        'nothing pending, nothing settled unapplied',
      );
    } finally {
      await database.end();
    }
    for (const [index, gateway] of processes.entries()) {
      assert.doesNotMatch(gateway.log(), /nonce/i, `process ${index} met no nonce error`);
    }
  });

  it('loses nothing acknowledged when a process is killed mid-write: the others apply what it left', async (t) => {
    const victim = processes[2] as GatewayProcess;
    const acknowledged: string[] = [];
    const writes = Array.from({ length: 60 }, (_, n) =>
      (doctors[n % doctors.length] as GatewayClient)
        .addRecord({
          patient: (patients[n % patients.length] as GatewayClient).address,
          category: 'lab',
          resource: labResult(`Potassium ${n} mmol/L`),
        })
        .then(({ recordId }) => void acknowledged.push(recordId)),
    );
    // Settled as they end: the writes the kill cuts off fail, unacknowledged, before they are awaited.
    const settled = Promise.allSettled(writes);
    // Killed while it has journaled actions it has not seen mined: the moment to lose them.
    const watcher = new pg.Client({ connectionString: storeUrl });
    await watcher.connect();
    const { rows } = await watcher.query('SELECT id FROM gateway_processes WHERE pid = $1', [
      victim.child.pid,
    ]);
    const victimIds = rows.map((row) => Number(row.id));
    const leftPending = await eventually(
      'the victim to hold journaled actions',
      async () => {
        const { rows: pending } = await watcher.query(
          `SELECT count(*) AS n FROM relay_journal WHERE status = 'pending' AND owner = ANY($1)`,
          [victimIds],
        );
        if (Number(pending[0]?.n) === 0) return undefined;
        balancer.remove(2);
        victim.child.kill('SIGKILL');
        return Number(pending[0]?.n);
      },
      60_000,
      1,
    ).finally(() => watcher.end());
    await settled;
    assert.ok(acknowledged.length >= 10, `${acknowledged.length} of 60 writes acknowledged`);

    const database = new pg.Client({ connectionString: storeUrl });
    await database.connect();
    try {
      // What the killed process journaled and left pending is applied by a survivor.
      await eventually('nothing left pending in the journal', async () => {
        const { rows } = await database.query(
          `SELECT count(*) AS n FROM relay_journal WHERE status = 'pending'`,
        );
        return Number(rows[0]?.n) === 0 ? true : undefined;
      });
      // `superseded`: the killed process's transaction was mined, but it died before noting its hash;
      // sent again, the chain refuses it as already applied. Any other outcome would be a lost action.
      const unapplied = await database.query(
        `SELECT outcome, detail FROM relay_journal WHERE status = 'settled' AND outcome <> 'superseded'`,
      );
      assert.deepEqual(unapplied.rows, [], 'nothing settled unapplied');
    } finally {
      await database.end();
    }
    const deployment = await readDeployment(join(dataDir, 'deployment.json'));
    assert.ok(deployment);
    const client = createLedgerPublicClient(httpEndpoint(chain.rpcUrl), deployment.chainId);
    const logs = await client.getLogs({
      address: deployment.records,
      fromBlock: deployment.deployedAtBlock,
      toBlock: 'latest',
    });
    const anchored = parseEventLogs({ abi: ledgerAbis.records, logs, eventName: 'RecordAnchored' }).map(
      (event) => event.args.recordId.toLowerCase(),
    );
    for (const id of acknowledged) {
      assert.equal(anchored.filter((a) => a === id.toLowerCase()).length, 1, `record ${id} anchored once`);
    }
    const listed = await (patients[0] as GatewayClient).listRecords((patients[0] as GatewayClient).address);
    const onChainForPatient = listed.records.length;
    assert.ok(onChainForPatient >= 12, 'the survivors still list and serve');
    for (const [index, gateway] of processes.slice(0, 2).entries()) {
      assert.doesNotMatch(gateway.log(), /nonce/i, `process ${index} met no nonce error`);
    }
    const takeovers = processes
      .slice(0, 2)
      .flatMap((gateway) => gateway.log().match(/took over the pending actions/g) ?? []);
    assert.ok(takeovers.length > 0, 'a survivor took over what the killed process left');
    t.diagnostic(
      `${acknowledged.length} of 60 writes acknowledged; the killed process left ${leftPending} ` +
        `journaled actions pending; ${takeovers.length} takeover(s)`,
    );
  });
});
