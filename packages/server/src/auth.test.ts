import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { accountOf, generateIdentity, UnauthenticatedError } from '@medledger/core';
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

  const auth = () =>
    createAuthService({
      store,
      chainId: 31337,
      domains: ['gateway.test'],
      sessionTtlSeconds: 60,
      keysOf: async (account) => ({ signer: account, patientOfSigner: null }),
    });

  async function signedMessage(nonce: string) {
    const identity = generateIdentity();
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

  it('accepts a session until its TTL has passed, then asks to sign in again', async () => {
    const service = auth();
    const { nonce } = await service.challenge();
    const { message, signature } = await signedMessage(nonce);
    const { token, expiresAt } = await service.signIn(message, signature);
    assert.equal(expiresAt, start + 60_000);

    mock.timers.tick(60_000);
    assert.ok(await service.authenticate(`Bearer ${token}`));
    mock.timers.tick(1);
    await assert.rejects(service.authenticate(`Bearer ${token}`), (error) => {
      assert.ok(error instanceof UnauthenticatedError);
      assert.match(error.shortMessage, /unknown or has expired/);
      return true;
    });
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
