/**
 * The indexer's request ranges against a node that limits what one `eth_getLogs` may cover. The
 * node here is a stand-in (a real anvil answers a request of 100,000 logs too, only after the
 * gateway's 15 s timeout; see the growth view of `npm run bench`): blocks, hashes and events in
 * memory, with a request over `refuseOver` blocks failing as a timed-out request does. The store
 * is a real SQLite file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LedgerUnavailableError } from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import { createIndexer, eventsPerRequest, toIndexUpdate } from './indexer.ts';
import { type GatewayStores, openGatewayStores } from './store/gatewayStores.ts';

interface StandInChain {
  ledger: LedgerClient;
  /** Block ranges asked for, in order. */
  requests: { from: bigint; to: bigint; ok: boolean }[];
}

/** `blocks` blocks (1..blocks), `eventsIn(block)` events in each; ranges over `refuseOver` blocks fail. */
function standInChain(blocks: number, eventsIn: (block: number) => number, refuseOver: number): StandInChain {
  const requests: StandInChain['requests'] = [];
  const hash = (block: bigint) => `0x${block.toString(16).padStart(64, '0')}`;
  const ledger = {
    deployment: { deployedAtBlock: 1n },
    blockNumber: async () => BigInt(blocks),
    blockHash: async (block: bigint) => (block <= BigInt(blocks) ? hash(block) : undefined),
    events: async (from: bigint, to: bigint) => {
      const ok = to - from + 1n <= BigInt(refuseOver);
      requests.push({ from, to, ok });
      if (!ok) throw new LedgerUnavailableError('The request timed out.');
      const events = [];
      for (let block = Number(from); block <= Number(to); block++) {
        for (let index = 0; index < eventsIn(block); index++) {
          // An event the index applies without needing anything before it.
          events.push({
            eventName: 'OrganisationActivated',
            args: { organisationId: 1 },
            blockNumber: BigInt(block),
          });
        }
      }
      return events;
    },
  };
  return { ledger: ledger as unknown as LedgerClient, requests };
}

describe('the indexer on a chain too big for one request', () => {
  let directory: string;
  let stores: GatewayStores;
  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'medledger-indexer-'));
    stores = await openGatewayStores(join(directory, 'gateway.sqlite'));
  });
  afterEach(async () => {
    await stores.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('asks again for fewer blocks when the node fails a range, and reaches the head', async () => {
    const chain = standInChain(3_000, () => 0, 100);
    const indexer = createIndexer({ ledger: chain.ledger, store: stores.store, maxRange: 1_000n });
    await indexer.sync();
    assert.equal(await stores.store.indexedBlock(), 3_000);
    // 1,000 → 500 → 250 → 125 refused, 62 answered; then ranges grow back, and halve when refused.
    assert.deepEqual(
      chain.requests.slice(0, 5).map(({ from, to, ok }) => [Number(to - from + 1n), ok]),
      [
        [1_000, false],
        [500, false],
        [250, false],
        [125, false],
        [62, true],
      ],
    );
    assert.ok(chain.requests.every(({ ok, from, to }) => ok || to - from + 1n > 100n));
    const covered = chain.requests
      .filter(({ ok }) => ok)
      .reduce((sum, { from, to }) => sum + Number(to - from + 1n), 0);
    assert.equal(covered, 3_000);
  });

  it('keeps ranges to about the events one request should carry', async () => {
    // 1,000 events in every block: five blocks make a full request.
    const chain = standInChain(200, () => 1_000, 10_000);
    const indexer = createIndexer({ ledger: chain.ledger, store: stores.store, maxRange: 5_000n });
    await indexer.sync();
    assert.equal(await stores.store.indexedBlock(), 200);
    const sizes = chain.requests.map(({ from, to }) => Number(to - from + 1n));
    // The first request takes the whole chain; from then on no request holds over twice the target.
    assert.equal(sizes[0], 200);
    assert.ok(
      sizes.slice(1).every((blocks) => blocks * 1_000 <= 2 * eventsPerRequest),
      sizes.join(','),
    );
  });

  it('reports the failure when even one block cannot be read', async () => {
    const chain = standInChain(10, () => 0, 0);
    const indexer = createIndexer({ ledger: chain.ledger, store: stores.store, maxRange: 8n });
    await assert.rejects(indexer.sync(), LedgerUnavailableError);
    assert.deepEqual(
      chain.requests.map(({ from, to }) => Number(to - from + 1n)),
      [8, 4, 2, 1],
    );
    assert.equal(await stores.store.indexedBlock(), null);
  });
});

describe('toIndexUpdate of the RecordActions events', () => {
  it('keeps erasures (dated by their block), hidings and unhidings in chain order', () => {
    const recordId = `0x${'ab'.repeat(32)}` as const;
    const patient = '0x00000000000000000000000000000000000000a1' as const;
    const by = '0x00000000000000000000000000000000000000b2' as const;
    const event = (eventName: string, args: Record<string, unknown>, blockNumber: bigint) => ({
      eventName,
      args,
      blockNumber,
      logIndex: 0,
      transactionHash: `0x${'01'.repeat(32)}`,
    });
    const events = [
      event('RecordHidden', { recordId, patient, by, retainUntil: 99n }, 5n),
      event('RecordUnhidden', { recordId, patient }, 6n),
      event('RecordErased', { recordId, patient, by, reason: 2 }, 7n),
    ] as unknown as Parameters<typeof toIndexUpdate>[0];
    const update = toIndexUpdate(events, 7, new Map([[7n, 1_700_000_123]]));
    assert.deepEqual(update.recordLifecycle, [
      { type: 'hidden', recordId, patient, by, retainUntil: 99, blockNumber: 5 },
      { type: 'unhidden', recordId },
      { type: 'erased', recordId, patient, by, reason: 2, erasedAt: 1_700_000_123, blockNumber: 7 },
    ]);
  });
});
