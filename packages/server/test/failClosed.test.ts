/**
 * Fail closed: when the chain cannot be read, the gateway releases nothing and says so (503),
 * and the refusal is in the audit log.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { type EmbeddedChain, startEmbeddedChain } from '@medledger/ledger-node';
import type { Address, Hex } from 'viem';
import { openGatewayStores } from '../src/store/gatewayStores.ts';
import { foundConsortium, newMember, newPatient, signIn } from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';
import { labResult } from './helpers/records.ts';

describe('fail closed when the ledger is unavailable', () => {
  let directory: string;
  let chain: EmbeddedChain;
  let gateway: TestGateway;
  let patient: GatewayClient;
  let doctor: GatewayClient;
  let doctorToken: string;
  let patientToken: string;
  let recordId: Hex;
  let cid: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'medledger-fail-closed-'));
    chain = await startEmbeddedChain({ directory: join(directory, 'chain') });
    gateway = await startTestGateway({ dataDir: join(directory, 'gateway'), rpcUrl: chain.rpcUrl });
    const consortium = await foundConsortium(gateway.url);
    [patient, doctor] = await Promise.all([
      newPatient(gateway.url, consortium),
      newMember(gateway.url, consortium),
    ]);
    ({ recordId, cid } = await patient.addRecord({
      patient: patient.address,
      category: 'lab',
      resource: labResult(),
    }));
    await patient.grantConsent({
      grantee: doctor.address,
      categories: ['lab'],
      actions: ['read'],
      expiresInSeconds: 600,
    });
    [doctorToken, patientToken] = await Promise.all([
      signIn(gateway.url, doctor.identity),
      signIn(gateway.url, patient.identity),
    ]);
  });
  after(async () => {
    await gateway?.stop();
    await chain?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('serves the grantee while the chain is up', async () => {
    const response = await call(gateway.url, 'POST', `/api/records/${recordId}/access`, {
      token: doctorToken,
      body: {},
    });
    assert.equal(response.status, 200, response.text);
    assert.ok((response.body as { sealedKey: unknown }).sealedKey);
  });

  it('answers 503 ledger_unavailable and releases nothing once the chain is gone', async () => {
    process.kill(chain.pid, 'SIGKILL');
    await waitUntil(async () => (await call(gateway.url, 'GET', '/api/health')).status === 503);
    assertError(await call(gateway.url, 'GET', '/api/health'), 503, 'ledger_unavailable');

    for (const token of [doctorToken, patientToken]) {
      const read = await call(gateway.url, 'POST', `/api/records/${recordId}/access`, { token, body: {} });
      assert.match(assertError(read, 503, 'ledger_unavailable'), /could not be read|could not be reached/);
      const body = read.body as Record<string, unknown>;
      assert.equal(body.envelope, undefined);
      assert.equal(body.sealedKey, undefined);
      assert.doesNotMatch(read.text, /"ct"|"enc"/);
    }

    const list = await call(gateway.url, 'GET', `/api/records?patient=${patient.address}`, {
      token: doctorToken,
    });
    assertError(list, 503, 'ledger_unavailable');
    assert.doesNotMatch(list.text, new RegExp(recordId.slice(2)));

    // Writes need the chain too: nothing is accepted that cannot be anchored.
    await assert.rejects(
      patient.addRecord({ patient: patient.address, category: 'lab', resource: labResult() }),
      {
        code: 'ledger_unavailable',
      },
    );
    // The ciphertext stays available by its CID (it is public and opens for nobody without a key).
    assert.equal((await call(gateway.url, 'GET', `/api/blobs/${cid}`)).status, 200);
  });

  it('writes the refusals to the audit log as denied, ledger_unavailable', async () => {
    await gateway.stop();
    const stores = await openGatewayStores(gateway.storeLocation);
    const { store } = stores;
    try {
      for (const actor of [doctor.address, patient.address]) {
        const events = await store.auditEvents({
          actor: actor as Address,
          patient: patient.address as Address,
        });
        const refused = events.filter((e) => e.action === 'read' && e.outcome === 'denied');
        assert.equal(refused.length, 1, `${actor}: ${JSON.stringify(events)}`);
        assert.equal(refused[0]?.reason, 'ledger_unavailable');
        assert.equal(refused[0]?.recordId, recordId);
      }
      const allowed = await store.auditEvents({ actor: doctor.address as Address });
      assert.ok(
        allowed.some((e) => e.action === 'read' && e.outcome === 'allowed'),
        'the read before the outage',
      );
    } finally {
      await stores.close();
    }
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
