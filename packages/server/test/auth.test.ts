import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountOf, generateIdentity, type Identity } from '@medledger/core';
import { siweMessage } from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';

describe('sign-in with Ethereum (EIP-4361)', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway();
  });
  after(() => gateway.stop());

  async function submit(message: string, signer: Identity) {
    const signature = await accountOf(signer).signMessage({ message });
    return call(gateway.url, 'POST', '/api/auth/session', { body: { message, signature } });
  }

  it('hands out a fresh single-use nonce with the chain id', async () => {
    const first = await call(gateway.url, 'POST', '/api/auth/challenge');
    const second = await call(gateway.url, 'POST', '/api/auth/challenge');
    assert.equal(first.status, 200);
    const a = first.body as { nonce: string; expiresAt: number; chainId: number };
    const b = second.body as { nonce: string };
    assert.match(a.nonce, /^[A-Za-z0-9]{8,}$/);
    assert.notEqual(a.nonce, b.nonce);
    assert.equal(a.chainId, gateway.chainId);
    assert.ok(a.expiresAt > Date.now() && a.expiresAt <= Date.now() + 5 * 60_000 + 1000);
  });

  it('exchanges a valid signed message for a token that works on /api/me, until sign-out', async () => {
    const identity = generateIdentity();
    const response = await submit(await siweMessage(gateway.url, identity), identity);
    assert.equal(response.status, 200, response.text);
    const session = response.body as {
      token: string;
      address: string;
      expiresAt: number;
      idleTimeoutSeconds: number;
    };
    assert.match(session.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(session.address, identity.address.toLowerCase());
    const hours = (session.expiresAt - Date.now()) / 3_600_000;
    assert.ok(hours > 11.9 && hours <= 12, 'by default a session ends 12 hours after sign-in');
    assert.equal(session.idleTimeoutSeconds, 900, 'or after 15 minutes unused');

    const me = await call(gateway.url, 'GET', '/api/me', { token: session.token });
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.body, {
      address: identity.address.toLowerCase(),
      member: null,
      patient: null,
      delegateOf: [],
    });

    const signOut = await call(gateway.url, 'DELETE', '/api/auth/session', { token: session.token });
    assert.equal(signOut.status, 204);
    const afterSignOut = await call(gateway.url, 'GET', '/api/me', { token: session.token });
    assert.match(assertError(afterSignOut, 401, 'unauthenticated'), /unknown or has expired/);
  });

  it('accepts the gateway under localhost as well as 127.0.0.1', async () => {
    const identity = generateIdentity();
    const port = new URL(gateway.url).port;
    const response = await submit(
      await siweMessage(gateway.url, identity, { domain: `localhost:${port}` }),
      identity,
    );
    assert.equal(response.status, 200, response.text);
  });

  it('refuses a message for another domain', async () => {
    const identity = generateIdentity();
    const message = await siweMessage(gateway.url, identity, { domain: 'evil.example' });
    assert.match(
      assertError(await submit(message, identity), 401, 'unauthenticated'),
      /for evil\.example, not for this gateway/,
    );
  });

  it('refuses a message for the right host on another port', async () => {
    const identity = generateIdentity();
    const message = await siweMessage(gateway.url, identity, { domain: '127.0.0.1:1' });
    assert.match(
      assertError(await submit(message, identity), 401, 'unauthenticated'),
      /not for this gateway/,
    );
  });

  it('refuses a message for another chain id', async () => {
    const identity = generateIdentity();
    const message = await siweMessage(gateway.url, identity, { chainId: 1 });
    assert.match(
      assertError(await submit(message, identity), 401, 'unauthenticated'),
      new RegExp(`for chain 1, not ${gateway.chainId}`),
    );
  });

  it('refuses an expired message', async () => {
    const identity = generateIdentity();
    const message = await siweMessage(gateway.url, identity, {
      issuedAt: new Date(Date.now() - 10 * 60_000),
      expirationTime: new Date(Date.now() - 60_000),
    });
    assert.match(assertError(await submit(message, identity), 401, 'unauthenticated'), /expired/);
  });

  it('refuses a message that is not yet valid', async () => {
    const identity = generateIdentity();
    const message = await siweMessage(gateway.url, identity, { notBefore: new Date(Date.now() + 60_000) });
    assert.match(assertError(await submit(message, identity), 401, 'unauthenticated'), /not yet valid/);
  });

  it('refuses a replay of a signed message: its nonce was used', async () => {
    const identity = generateIdentity();
    const message = await siweMessage(gateway.url, identity);
    const signature = await accountOf(identity).signMessage({ message });
    const first = await call(gateway.url, 'POST', '/api/auth/session', { body: { message, signature } });
    assert.equal(first.status, 200, first.text);
    const replay = await call(gateway.url, 'POST', '/api/auth/session', { body: { message, signature } });
    assert.match(assertError(replay, 401, 'unauthenticated'), /nonce is unknown, used or expired/);
  });

  it('refuses a nonce the gateway never handed out', async () => {
    const identity = generateIdentity();
    const message = await siweMessage(gateway.url, identity, { nonce: 'A1b2C3d4E5f6G7h8' });
    assert.match(
      assertError(await submit(message, identity), 401, 'unauthenticated'),
      /nonce is unknown, used or expired/,
    );
  });

  it('refuses a signature by another key, and does not burn the nonce for the real signer', async () => {
    const identity = generateIdentity();
    const message = await siweMessage(gateway.url, identity);
    assert.match(
      assertError(await submit(message, generateIdentity()), 401, 'unauthenticated'),
      /signature does not match the address/,
    );
    const garbage = `0x${'ab'.repeat(65)}`;
    const unrecoverable = await call(gateway.url, 'POST', '/api/auth/session', {
      body: { message, signature: garbage },
    });
    assert.match(assertError(unrecoverable, 401, 'unauthenticated'), /signature does not match/);
    const genuine = await submit(message, identity);
    assert.equal(genuine.status, 200, genuine.text);
  });

  it('refuses a malformed message as invalid input', async () => {
    const identity = generateIdentity();
    const valid = await siweMessage(gateway.url, identity);
    for (const message of [
      'hello gateway',
      '',
      valid.replace(/^.*\n/, ''), // without its first line (domain)
      valid.replace(/\nNonce: .*/, ''),
      valid.replace(/0x[0-9a-fA-F]{40}/, '0xnot-an-address'),
    ]) {
      const response = await submit(message, identity);
      assert.ok(
        response.status === 400 || response.status === 401,
        `${JSON.stringify(message)} → ${response.status}`,
      );
      assertError(response, response.status, response.status === 400 ? 'invalid_input' : 'unauthenticated');
    }
    assert.match(
      assertError(await submit('hello gateway', identity), 400, 'invalid_input'),
      /not an EIP-4361 message/,
    );
  });

  it('refuses requests without a session or with a garbage bearer token', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer not a token' },
      { authorization: `Bearer ${'A'.repeat(43)}` },
      { authorization: `Bearer ${'A'.repeat(44)}` },
      { authorization: `Basic ${Buffer.from('user:password').toString('base64')}` },
      { authorization: `bearer ${'A'.repeat(43)}` },
    ];
    for (const headers of cases) {
      const response = await call(gateway.url, 'GET', '/api/me', { headers });
      const message = assertError(response, 401, 'unauthenticated');
      assert.match(message, /Sign in first|unknown or has expired/, JSON.stringify(headers));
    }
  });

  it('checks the session on every signed-in route', async () => {
    const recordId = `0x${'11'.repeat(32)}`;
    for (const [method, path] of [
      ['GET', '/api/consents'],
      ['GET', '/api/access-requests'],
      ['GET', '/api/access-requests/1'],
      ['GET', '/api/audit'],
      ['GET', '/api/organisations/1/members'],
      ['GET', `/api/patients/${generateIdentity().address}`],
      ['GET', `/api/records?patient=${generateIdentity().address}`],
      ['POST', `/api/records/${recordId}/access`],
    ] as const) {
      for (const token of [undefined, 'A'.repeat(43)]) {
        const response = await call(gateway.url, method, path, {
          ...(token ? { token } : {}),
          ...(method === 'POST' ? { body: {} } : {}),
        });
        assertError(response, 401, 'unauthenticated');
      }
    }
  });
});
