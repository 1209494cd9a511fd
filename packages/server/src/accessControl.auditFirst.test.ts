/**
 * Every decision is in the audit outbox before it is answered, the refusal for an unreadable
 * chain included: if that refusal cannot be written either, the caller gets the store's error
 * (still a refusal) rather than an answer the audit log does not hold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerUnavailableError } from '@medledger/core';
import { createLedgerClient, httpEndpoint } from '@medledger/ledger';
import { freePort } from '@medledger/ledger-node';
import type { Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createAccessControl } from './accessControl.ts';
import { createAuditLog } from './auditLog.ts';
import { openGatewayStores } from './store/gatewayStores.ts';

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address;

async function withUnreachableChain() {
  const { store, emergencies } = await openGatewayStores(':memory:');
  const ledger = createLedgerClient({
    // A port nobody listens on: every chain read fails.
    endpoint: httpEndpoint(`http://127.0.0.1:${await freePort()}`),
    relayer: privateKeyToAccount(generatePrivateKey()),
    deployment: {
      chainId: 31337,
      consortium: address(1),
      consents: address(2),
      records: address(3),
      auditAnchors: address(4),
      coSignatures: address(5),
      emergencies: address(6),
      orders: address(7),
      delegates: address(8),
      recordActions: address(9),
      deployedAtBlock: 0n,
    },
  });
  const access = createAccessControl({
    ledger,
    auditLog: createAuditLog(store),
    store,
    emergencies,
  });
  const question = {
    actor: address(10),
    patient: address(11),
    category: 3,
    sensitivity: 0,
    action: 'read' as const,
  };
  return { store, access, question };
}

describe('access control audits before it answers', () => {
  it('refuses with 503 when the chain cannot be read, once the refusal is in the outbox', async () => {
    const { store, access, question } = await withUnreachableChain();
    await assert.rejects(access.authorise(question), LedgerUnavailableError);
    const events = await store.auditEventsFrom(0, 10);
    assert.deepEqual(
      events.map((event) => [event.sequence, event.actor, event.outcome, event.reason]),
      [[0, question.actor, 'denied', 'ledger_unavailable']],
    );
    await store.close();
  });

  it('does not answer the refusal as such when the audit log cannot take it', async () => {
    const { store, access, question } = await withUnreachableChain();
    await store.close(); // the outbox is gone: writing the event fails
    await assert.rejects(access.authorise(question), (error: unknown) => {
      assert.ok(!(error instanceof LedgerUnavailableError), 'no 503 answer without its audit event');
      assert.ok(error instanceof Error);
      return true;
    });
  });
});
