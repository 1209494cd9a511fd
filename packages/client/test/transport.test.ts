/**
 * The transport against a real gateway: sign-in and session reuse, the ledger's details asked once,
 * signed actions, and the gateway's error answers as typed errors (by code and reason).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  createTransport,
  health,
  me,
  requestGateway,
  signOut,
  signOutEverywhere,
  type Transport,
} from '@medledger/client';
import {
  consentsTypes,
  generateIdentity,
  MedledgerError,
  NotFoundError,
  UnauthenticatedError,
} from '@medledger/core';
import { rejectsWith, startTestGateway, type TestGateway } from './helpers.ts';

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('transport', () => {
  let gateway: TestGateway;
  let transport: Transport;

  before(async () => {
    gateway = await startTestGateway();
    transport = createTransport({ url: `${gateway.url}/`, identity: generateIdentity() });
  });
  after(() => gateway.stop());

  it('keeps the URL without its trailing slash and the address in lower case', () => {
    assert.equal(transport.url, gateway.url);
    assert.equal(transport.address, transport.identity.address.toLowerCase());
  });

  it('signIn: signs in once and reuses the session until it is dropped', async () => {
    const first = await transport.signIn();
    assert.ok(first.token.length > 0);
    assert.ok(first.expiresAt > Date.now() + 30_000);
    assert.equal((await transport.signIn()).token, first.token);
    transport.dropSession();
    const second = await transport.signIn();
    assert.notEqual(second.token, first.token);
    // Both are sessions the gateway knows (the first was only forgotten by the client).
    for (const token of [first.token, second.token]) {
      const answer = await requestGateway<{ address: string }>(gateway.url, 'GET', '/api/me', { token });
      assert.equal(answer.address, transport.address);
    }
  });

  it('signOut: ends the session at the gateway and forgets it, without signing in to do so', async () => {
    const client = createTransport({ url: gateway.url, identity: generateIdentity() });
    await signOut(client);
    assert.equal(client.currentSession(), undefined, 'no session held: none opened');
    const { token } = await client.signIn();
    await signOut(client);
    assert.equal(client.currentSession(), undefined);
    await rejectsWith(
      requestGateway(gateway.url, 'GET', '/api/me', { token }),
      UnauthenticatedError,
      'session_unknown',
    );
    assert.equal((await me(client)).address, client.address, 'the next request signs in again');
  });

  it('signOutEverywhere: ends the account’s other sessions too; a client whose session ended signs in again', async () => {
    const identity = generateIdentity();
    const [here, there] = [
      createTransport({ url: gateway.url, identity }),
      createTransport({ url: gateway.url, identity }),
    ];
    const thereToken = (await there.signIn()).token;
    assert.deepEqual(await signOutEverywhere(here), { ended: 2 });
    assert.equal(here.currentSession(), undefined);
    await rejectsWith(
      requestGateway(gateway.url, 'GET', '/api/me', { token: thereToken }),
      UnauthenticatedError,
      'session_unknown',
    );
    // `there` still holds its ended token: refused once with session_unknown, it signs in again.
    assert.equal((await me(there)).address, there.address);
    assert.notEqual(there.currentSession()?.token, thereToken);
  });

  it('ledger: the chain and contracts, asked once', async () => {
    const info = transport.ledger();
    assert.equal(transport.ledger(), info, 'the same answer, not a second request');
    assert.equal((await info).chainId, gateway.chainId);
    assert.equal((await info).contracts.consents.toLowerCase(), gateway.deployment.consents.toLowerCase());
  });

  it('signAction: a fresh nonce and a deadline of the signature lifetime (30 days for a revocation)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const message = { patient: transport.account.address, grantId: 1n };
    const a = await transport.signAction('consents', consentsTypes, 'Revoke', message);
    const b = await transport.signAction('consents', consentsTypes, 'Revoke', message);
    assert.notEqual(a.nonce, b.nonce);
    assert.match(a.signature, /^0x[0-9a-f]{130}$/);
    assert.ok(Math.abs(Number(a.deadline) - (now + 30 * 24 * 3600)) <= 5);
    const grant = await transport.signAction('consents', consentsTypes, 'DenyRequest', {
      patient: transport.account.address,
      requestId: 1n,
    });
    assert.ok(Math.abs(Number(grant.deadline) - (now + 3600)) <= 5);
  });

  it('call: turns the gateway’s error answers into typed errors with their reason', async () => {
    await rejectsWith(
      transport.call('GET', '/api/me', undefined, false),
      UnauthenticatedError,
      'session_missing',
    );
    await rejectsWith(transport.call('GET', '/api/no-such-route'), NotFoundError, 'no_route');
  });

  it('requestGateway: says the gateway is unreachable when nothing answers', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await rejectsWith(
      requestGateway(url, 'GET', '/api/health'),
      MedledgerError,
      'gateway_unreachable',
    );
    assert.equal(error.code, 'internal');
  });

  it('health: the gateway and its chain, without signing in', async () => {
    const answer = await health(createTransport({ url: gateway.url, identity: generateIdentity() }));
    assert.equal(answer.status, 'ok');
    assert.equal(answer.chainId, gateway.chainId);
    assert.equal(answer.ledger.state, 'ok');
  });

  it('me: who this identity is to the gateway (nobody yet)', async () => {
    assert.deepEqual(await me(transport), {
      address: transport.address,
      member: null,
      patient: null,
      delegateOf: [],
    });
  });
});
