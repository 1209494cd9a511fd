/**
 * Session lifetimes over HTTP, on a real gateway (SQLite, or PostgreSQL with MEDLEDGER_TEST_STORE):
 * the idle timeout and the absolute lifetime, the last use written at most once per granularity,
 * ended sessions removed, and sign-out everywhere. The clock is node:test's mocked `Date`, moved by
 * hand (no sleeps); it is restored after each test, before the gateway stops.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it, mock } from 'node:test';
import { accountOf, generateIdentity, type Identity, InvalidInputError } from '@medledger/core';
import { loadGatewayConfig } from '../src/index.ts';
import { newActor, signIn, siweMessage } from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';

const idleSeconds = 60;
const lifetimeSeconds = 600;

describe('sessions over HTTP: idle timeout, absolute lifetime, sign-out everywhere', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      sessionIdleSeconds: idleSeconds,
      sessionLifetimeSeconds: lifetimeSeconds,
    });
  });
  after(() => gateway.stop());
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: Date.now() }));
  afterEach(() => mock.timers.reset());

  const me = (token: string) => call(gateway.url, 'GET', '/api/me', { token });
  const refused = async (token: string) => {
    const response = await me(token);
    assertError(response, 401, 'unauthenticated');
    assert.equal((response.body as { error: { reason: string } }).error.reason, 'session_unknown');
  };
  /** The session's row as stored (asked as of time 0, when every session was valid), or undefined. */
  const storedRow = (token: string) =>
    gateway.services.store.session(
      createHash('sha256').update(token).digest('hex'),
      0,
      Number.MAX_SAFE_INTEGER,
    );

  it('answers the absolute end and the idle timeout at sign-in', async () => {
    const identity = generateIdentity();
    const { message, signature } = await signedMessage(identity);
    const response = await call(gateway.url, 'POST', '/api/auth/session', { body: { message, signature } });
    assert.equal(response.status, 200, response.text);
    const answer = response.body as { expiresAt: number; idleTimeoutSeconds: number };
    assert.equal(answer.expiresAt, Date.now() + lifetimeSeconds * 1000);
    assert.equal(answer.idleTimeoutSeconds, idleSeconds);
  });

  it('keeps a session used within the idle timeout valid beyond it', async () => {
    const token = await signIn(gateway.url, generateIdentity());
    for (let step = 0; step < 5; step++) {
      mock.timers.tick(40_000);
      assert.equal((await me(token)).status, 200, `after ${(step + 1) * 40} s`);
    }
  });

  it('refuses a session unused for the idle timeout though its lifetime has not passed', async () => {
    const token = await signIn(gateway.url, generateIdentity());
    const row = await storedRow(token);
    mock.timers.tick(idleSeconds * 1000 - 1);
    assert.equal((await me(token)).status, 200, 'used just before the idle timeout');
    mock.timers.tick(idleSeconds * 1000);
    assert.ok(row && Date.now() < row.expiresAt, 'its absolute end is still ahead');
    await refused(token);
  });

  it('refuses a session used all along once its absolute lifetime has passed', async () => {
    const token = await signIn(gateway.url, generateIdentity());
    const signedInAt = Date.now();
    while (Date.now() + 30_000 < signedInAt + lifetimeSeconds * 1000) {
      mock.timers.tick(30_000);
      assert.equal((await me(token)).status, 200);
    }
    mock.timers.setTime(signedInAt + lifetimeSeconds * 1000);
    await refused(token);
  });

  it('writes the last use at most once per granularity window (a quarter of the idle timeout here)', async () => {
    const token = await signIn(gateway.url, generateIdentity());
    const signedInAt = Date.now();
    const granularity = (idleSeconds * 1000) / 4;
    for (let step = 0; step < 10; step++) {
      mock.timers.tick(1_000);
      assert.equal((await me(token)).status, 200);
    }
    assert.equal((await storedRow(token))?.lastUsedAt, signedInAt, 'ten requests within 10 s: no write');
    mock.timers.setTime(signedInAt + granularity);
    assert.equal((await me(token)).status, 200);
    assert.equal((await storedRow(token))?.lastUsedAt, signedInAt + granularity, 'written once');
    mock.timers.tick(granularity - 1);
    assert.equal((await me(token)).status, 200);
    assert.equal((await storedRow(token))?.lastUsedAt, signedInAt + granularity, 'not again within it');
  });

  it('removes ended sessions at the next sign-in', async () => {
    const idle = await signIn(gateway.url, generateIdentity());
    const used = await signIn(gateway.url, generateIdentity());
    assert.ok(await storedRow(idle));
    mock.timers.tick(idleSeconds * 1000 - 1);
    assert.equal((await me(used)).status, 200);
    mock.timers.tick(1);
    const fresh = await signIn(gateway.url, generateIdentity());
    assert.equal(await storedRow(idle), undefined, 'the idle session’s row is gone');
    assert.ok(await storedRow(used), 'the used one is kept');
    assert.ok(await storedRow(fresh));
  });

  it('sign-out everywhere ends every session of the account, and no other account’s', async () => {
    const patient = generateIdentity();
    const [first, second] = [await signIn(gateway.url, patient), await signIn(gateway.url, patient)];
    const other = await signIn(gateway.url, generateIdentity());
    const answer = await call(gateway.url, 'DELETE', '/api/auth/sessions', { token: second });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.body, { ended: 2 });
    await refused(first);
    await refused(second);
    assert.equal((await me(other)).status, 200);
    assert.equal(await storedRow(first), undefined);
    assertError(await call(gateway.url, 'DELETE', '/api/auth/sessions'), 401, 'unauthenticated');
    assertError(
      await call(gateway.url, 'DELETE', '/api/auth/sessions', { token: first }),
      401,
      'unauthenticated',
    );
  });

  it('a live notification stream ends within a minute of its session being signed out everywhere', async () => {
    // The stream's heartbeat is a setInterval: mocked too, so that a minute passes at once.
    mock.timers.reset();
    mock.timers.enable({ apis: ['Date', 'setInterval'], now: Date.now() });
    const identity = generateIdentity();
    const token = await signIn(gateway.url, identity);
    const response = await fetch(`${gateway.url}/api/notifications/stream`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    });
    assert.equal(response.status, 200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the stream is open: its first bytes (the retry hint) arrived
    let ended = false;
    const drained = (async () => {
      while (!(await reader.read()).done);
      ended = true;
    })();
    mock.timers.tick(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ended, false, 'a session still valid keeps its stream');
    const other = await signIn(gateway.url, identity);
    assert.equal((await call(gateway.url, 'DELETE', '/api/auth/sessions', { token: other })).status, 200);
    mock.timers.tick(60_000);
    await drained;
    assert.equal(ended, true);
  });

  it('a client keeps working when its session ends by idleness or is ended elsewhere', async () => {
    const identity = generateIdentity();
    const client = newActor(gateway.url, identity);
    await client.me();
    const firstToken = client.currentSession()?.token;
    mock.timers.tick(idleSeconds * 1000);
    assert.equal((await client.me()).address, identity.address.toLowerCase(), 'after the idle timeout');
    const secondToken = client.currentSession()?.token;
    assert.ok(secondToken && secondToken !== firstToken, 'signed in again');
    // Another device of the same account signs out everywhere: this client's token is refused once,
    // and it signs in again by itself.
    await newActor(gateway.url, identity).signOutEverywhere();
    await refused(secondToken);
    assert.equal((await client.me()).address, identity.address.toLowerCase());
    assert.notEqual(client.currentSession()?.token, secondToken);
  });

  async function signedMessage(identity: Identity) {
    const message = await siweMessage(gateway.url, identity);
    return { message, signature: await accountOf(identity).signMessage({ message }) };
  }
});

describe('session limits in the gateway configuration', () => {
  const load = (input: Parameters<typeof loadGatewayConfig>[0], env: Record<string, string> = {}) =>
    loadGatewayConfig({ dataDir: '/tmp/medledger-config-test', ...input }, env);
  const rejects = (
    input: Parameters<typeof loadGatewayConfig>[0],
    pattern: RegExp,
    env: Record<string, string> = {},
  ) =>
    assert.throws(
      () => load(input, env),
      (error) => error instanceof InvalidInputError && pattern.test(error.shortMessage),
    );

  it('defaults to 15 minutes idle and 12 hours in all', () => {
    const config = load({});
    assert.equal(config.sessionIdleSeconds, 900);
    assert.equal(config.sessionLifetimeSeconds, 43_200);
  });

  it('takes options before the environment', () => {
    const env = { MEDLEDGER_SESSION_IDLE: '300', MEDLEDGER_SESSION_LIFETIME: '3600' };
    assert.deepEqual([load({}, env).sessionIdleSeconds, load({}, env).sessionLifetimeSeconds], [300, 3600]);
    const config = load({ sessionIdleSeconds: '120', sessionLifetimeSeconds: 7200 }, env);
    assert.deepEqual([config.sessionIdleSeconds, config.sessionLifetimeSeconds], [120, 7200]);
  });

  it('refuses an idle timeout longer than the lifetime, with a reason', () => {
    assert.throws(
      () => load({ sessionIdleSeconds: 3600, sessionLifetimeSeconds: 600 }),
      (error) =>
        error instanceof InvalidInputError &&
        error.reason === 'session_idle_exceeds_lifetime' &&
        /must not exceed the session lifetime/.test(error.shortMessage),
    );
    assert.equal(load({ sessionIdleSeconds: 600, sessionLifetimeSeconds: 600 }).sessionIdleSeconds, 600);
  });

  it('refuses values that are not whole seconds within bounds', () => {
    for (const value of ['0', '59', '86401', '-5', '1.5', 'abc', '', ' 900']) {
      rejects({ sessionIdleSeconds: value }, /session idle timeout/);
    }
    for (const value of ['59', '604801', 'twelve hours', '1e4']) {
      rejects({ sessionLifetimeSeconds: value }, /session lifetime/);
    }
    rejects({}, /session idle timeout/, { MEDLEDGER_SESSION_IDLE: '10' });
  });

  it('refuses the old MEDLEDGER_SESSION_TTL rather than ignoring it', () => {
    assert.throws(
      () => load({}, { MEDLEDGER_SESSION_TTL: '300' }),
      (error) => error instanceof InvalidInputError && error.reason === 'session_ttl_replaced',
    );
  });
});
