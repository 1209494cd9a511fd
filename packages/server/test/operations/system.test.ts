/**
 * The system operations, called without HTTP on a real gateway (anvil, SQLite): health, ledger
 * facts, sign-in with Ethereum and its refusals by reason, sign-out, and who a session is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountOf, generateIdentity, type Identity, roleCode } from '@medledger/core';
import { createSiweMessage } from 'viem/siwe';
import { health, ledgerInfo, signIn, signInChallenge, signOut, whoAmI } from '../../src/operations/system.ts';
import { type Consortium, foundConsortium, newActor, newPatient } from '../helpers/actors.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { sessionOf } from '../helpers/sessions.ts';

describe('system operations', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  before(async () => {
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
  });
  after(() => gateway.stop());

  /** A sign-in message of `identity` for this gateway, on a fresh challenge unless `overrides` say otherwise. */
  async function signedSignIn(
    identity: Identity,
    overrides: { domain?: string; chainId?: number; nonce?: string; signer?: Identity } = {},
  ) {
    const challenge = await signInChallenge(gateway.services);
    const now = new Date();
    const message = createSiweMessage({
      domain: overrides.domain ?? new URL(gateway.url).host,
      address: accountOf(identity).address,
      uri: new URL(gateway.url).origin,
      version: '1',
      chainId: overrides.chainId ?? challenge.chainId,
      nonce: overrides.nonce ?? challenge.nonce,
      issuedAt: now,
      expirationTime: new Date(now.getTime() + 5 * 60_000),
    });
    return { message, signature: await accountOf(overrides.signer ?? identity).signMessage({ message }) };
  }

  it('reports health while the gateway serves, and the ledger facts a client signs with', async () => {
    const status = await health(gateway.services);
    assert.deepEqual(
      { status: status.status, chainId: status.chainId, state: status.ledger.state },
      { status: 'ok', chainId: 31337, state: 'ok' },
    );
    assert.ok(status.blockNumber > 0);
    const info = await ledgerInfo(gateway.services);
    assert.equal(info.rpcUrl, gateway.readOnlyRpcUrl);
    assert.equal(info.contracts.consents.toLowerCase(), gateway.deployment.consents.toLowerCase());
    assert.equal(info.relayer, gateway.services.ledger.relayerAddress);
    assert.deepEqual(info.custodian.organisationIds, [consortium.organisationId]);
    assert.deepEqual(info.custody, { custodians: [], threshold: 0, version: 0 });
  });

  it('signs in with a signed EIP-4361 message, and signs out', async () => {
    const identity = generateIdentity();
    const session = await signIn(gateway.services, await signedSignIn(identity));
    assert.equal(session.address, identity.address.toLowerCase());
    assert.ok(session.expiresAt > Date.now());
    const authorization = `Bearer ${session.token}`;
    assert.equal(
      (await gateway.services.auth.authenticate(authorization)).address.toLowerCase(),
      session.address,
    );
    await signOut(gateway.services, authorization);
    await assert.rejects(gateway.services.auth.authenticate(authorization), {
      code: 'unauthenticated',
      reason: 'session_unknown',
    });
  });

  it('refuses sign-ins by reason: wrong domain, wrong chain, reused nonce, another key, not EIP-4361', async () => {
    const identity = generateIdentity();
    await assert.rejects(signIn(gateway.services, await signedSignIn(identity, { domain: 'evil.example' })), {
      code: 'unauthenticated',
      reason: 'siwe_wrong_domain',
    });
    await assert.rejects(signIn(gateway.services, await signedSignIn(identity, { chainId: 1 })), {
      code: 'unauthenticated',
      reason: 'siwe_wrong_chain',
    });
    const used = await signedSignIn(identity);
    await signIn(gateway.services, used);
    await assert.rejects(signIn(gateway.services, used), {
      code: 'unauthenticated',
      reason: 'siwe_nonce_unknown',
    });
    await assert.rejects(
      signIn(gateway.services, await signedSignIn(identity, { signer: generateIdentity() })),
      { code: 'unauthenticated', reason: 'siwe_bad_signature' },
    );
    const { signature } = await signedSignIn(identity);
    await assert.rejects(signIn(gateway.services, { message: 'hello gateway', signature }), {
      code: 'invalid_input',
      reason: 'not_siwe_message',
    });
  });

  it('says who a session is on the ledger: a member, a patient, or neither', async () => {
    const patient = await newPatient(gateway.url, consortium);
    const stranger = newActor(gateway.url);
    assert.deepEqual(await whoAmI(gateway.services, sessionOf(consortium.admin)), {
      address: consortium.admin.address,
      member: {
        organisationId: consortium.organisationId,
        role: roleCode('admin'),
        active: true,
        // The founding admin is registered with its organisation's key, this gateway's custodian key.
        encryptionKey: (await ledgerInfo(gateway.services)).custodian.encryptionKey,
      },
      patient: null,
      delegateOf: [],
    });
    assert.deepEqual(await whoAmI(gateway.services, sessionOf(patient)), {
      address: patient.address,
      member: null,
      patient: {
        registered: true,
        encryptionKey: patient.identity.encryption.publicKey,
        organisationId: consortium.organisationId,
      },
      delegateOf: [],
    });
    assert.deepEqual(await whoAmI(gateway.services, sessionOf(stranger)), {
      address: stranger.address,
      member: null,
      patient: null,
      delegateOf: [],
    });
  });
});
