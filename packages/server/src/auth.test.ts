import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { accountOf, generateIdentity, OverloadedError, UnauthenticatedError } from '@medledger/core';
import { createSiweMessage } from 'viem/siwe';
import { createAuthService } from './auth.ts';
import { SqliteGatewayStore } from './store/sqliteStore.ts';

describe('auth service: session and nonce lifetimes', () => {
  const start = Date.UTC(2030, 0, 1);
  let store: SqliteGatewayStore;
  beforeEach(() => {
    store = new SqliteGatewayStore(':memory:');
    mock.timers.enable({ apis: ['Date'], now: start });
  });
  afterEach(async () => {
    mock.timers.reset();
    await store.close();
  });

  const auth = (limits = { sessionIdleSeconds: 60, sessionLifetimeSeconds: 600 }) =>
    createAuthService({
      store,
      chainId: 31337,
      domains: ['gateway.test'],
      ...limits,
      keysOf: async (account) => ({ signer: account, patientOfSigner: null }),
    });

  async function signedMessage(nonce: string, identity = generateIdentity()) {
    const message = createSiweMessage({
      domain: 'gateway.test',
      address: identity.address,
      uri: 'https://gateway.test',
      version: '1',
      chainId: 31337,
      nonce,
      issuedAt: new Date(),
      expirationTime: new Date(Date.now() + 10 * 60_000),
    });
    return { message, signature: await accountOf(identity).signMessage({ message }) };
  }

  async function signIn(service: ReturnType<typeof auth>, identity = generateIdentity()) {
    const { nonce } = await service.challenge();
    const { message, signature } = await signedMessage(nonce, identity);
    return service.signIn(message, signature);
  }

  const refused = (error: unknown) => {
    assert.ok(error instanceof UnauthenticatedError);
    assert.equal(error.reason, 'session_unknown');
    assert.match(error.shortMessage, /unknown or has expired/);
    return true;
  };

  it('keeps at most maxPendingSignIns nonces: past it a challenge is refused, until nonces expire', async () => {
    const service = createAuthService({
      store,
      chainId: 31337,
      domains: ['gateway.test'],
      sessionIdleSeconds: 60,
      sessionLifetimeSeconds: 600,
      keysOf: async (account) => ({ signer: account, patientOfSigner: null }),
      maxPendingSignIns: 3,
    });
    for (let index = 0; index < 3; index++) await service.challenge();
    await assert.rejects(service.challenge(), (error: OverloadedError) => {
      assert.ok(error instanceof OverloadedError);
      assert.equal(error.reason, 'sign_in_busy');
      assert.equal(error.fields?.retryAfter, 60);
      return true;
    });
    // Once the nonces handed out have expired (5 minutes), they make room.
    mock.timers.tick(5 * 60_000 + 1);
    const { nonce } = await service.challenge();
    const { message, signature } = await signedMessage(nonce);
    assert.ok((await service.signIn(message, signature)).token);
  });

  it('answers the absolute end and the idle timeout at sign-in', async () => {
    const answer = await signIn(auth());
    assert.equal(answer.expiresAt, start + 600_000);
    assert.equal(answer.idleTimeoutSeconds, 60);
  });

  it('keeps a session used within the idle timeout, and ends it at its absolute end however used', async () => {
    const service = auth();
    const { token } = await signIn(service);
    for (let used = 0; used < 600_000 - 50_000; used += 50_000) {
      mock.timers.tick(50_000);
      assert.ok(await service.authenticate(`Bearer ${token}`), `in use after ${used + 50_000} ms`);
    }
    mock.timers.setTime(start + 600_000 - 1);
    assert.ok(await service.authenticate(`Bearer ${token}`));
    mock.timers.tick(1);
    await assert.rejects(service.authenticate(`Bearer ${token}`), refused);
  });

  it('ends a session unused for the idle timeout though its absolute end is far', async () => {
    const service = auth();
    const { token, expiresAt } = await signIn(service);
    mock.timers.tick(59_999);
    assert.ok(await service.authenticate(`Bearer ${token}`), 'used just in time');
    mock.timers.tick(60_000);
    assert.ok(Date.now() < expiresAt);
    await assert.rejects(service.authenticate(`Bearer ${token}`), refused);
  });

  it('measures idleness from the last use recorded, which lags by under a quarter of the idle timeout', async () => {
    const service = auth();
    const { token } = await signIn(service);
    mock.timers.tick(14_000);
    assert.ok(await service.authenticate(`Bearer ${token}`), 'not recorded: 14 s after the recorded use');
    mock.timers.tick(46_000);
    // 46 s after its last request, but 60 s after the use recorded at sign-in: ended.
    await assert.rejects(service.authenticate(`Bearer ${token}`), refused);

    const next = await signIn(service);
    mock.timers.tick(15_000);
    assert.ok(await service.authenticate(`Bearer ${next.token}`), 'recorded: 15 s after the last');
    mock.timers.tick(59_999);
    assert.ok(await service.authenticate(`Bearer ${next.token}`));
  });

  it('removes ended sessions at sign-in and when purging', async () => {
    const service = auth();
    // Which of `tokens` still have a row (asked as of time 0, when every one was valid).
    const stored = async (tokens: string[]) => {
      const found = [];
      for (const token of tokens) {
        const tokenHash = createHash('sha256').update(token).digest('hex');
        if (await store.session(tokenHash, 0, Number.MAX_SAFE_INTEGER)) found.push(token);
      }
      return found;
    };
    const a = (await signIn(service)).token;
    const b = (await signIn(service)).token;
    assert.deepEqual(await stored([a, b]), [a, b]);
    mock.timers.tick(60_000);
    const c = (await signIn(service)).token;
    assert.deepEqual(await stored([a, b, c]), [c], 'the two idle ones were removed at this sign-in');
    mock.timers.tick(60_000);
    assert.equal(await service.purgeEndedSessions(), 1);
    assert.deepEqual(await stored([a, b, c]), []);
  });

  it('sign-out everywhere ends the account’s sessions and no other account’s', async () => {
    const service = auth();
    const patient = generateIdentity();
    const first = await signIn(service, patient);
    const second = await signIn(service, patient);
    const other = await signIn(service);
    const session = await service.authenticate(`Bearer ${first.token}`);
    assert.equal(await service.signOutEverywhere(session), 2);
    await assert.rejects(service.authenticate(`Bearer ${first.token}`), refused);
    await assert.rejects(service.authenticate(`Bearer ${second.token}`), refused);
    assert.ok(await service.authenticate(`Bearer ${other.token}`));
  });

  it('refuses a nonce older than five minutes', async () => {
    const service = auth();
    const { nonce, expiresAt } = await service.challenge();
    assert.equal(expiresAt, start + 5 * 60_000);
    mock.timers.tick(5 * 60_000 + 1);
    const { message, signature } = await signedMessage(nonce);
    await assert.rejects(service.signIn(message, signature), /nonce is unknown, used or expired/);
  });

  it('accepts a nonce just before it expires', async () => {
    const service = auth();
    const { nonce } = await service.challenge();
    mock.timers.tick(5 * 60_000);
    const { message, signature } = await signedMessage(nonce);
    assert.ok((await service.signIn(message, signature)).token);
  });
});
