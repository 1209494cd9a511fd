import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordLeaf } from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import type { Hex } from 'viem';
import { type AnchorRequest, createAnchorer } from './anchorer.ts';
import type { GatewayStore } from './store/gatewayStore.ts';

const zero = `0x${'00'.repeat(32)}` as Hex;

function request(id: string): AnchorRequest {
  const leaf: RecordLeaf = {
    recordId: `0x${id.repeat(64).slice(0, 64)}` as Hex,
    patient: `0x${'1'.repeat(40)}`,
    author: `0x${'1'.repeat(40)}`,
    category: 3,
    sensitivity: 0,
    contentDigest: `0x${'2'.repeat(64)}`,
    supersedes: zero,
    createdAt: 1n,
  };
  return { leaf, grantId: 0n, signature: '0x' };
}

/** A chain that anchors each record id once, refusing a batch as the Records contract does. */
function fakeLedger() {
  const anchored = new Set<string>();
  const batches: string[][] = [];
  const ledger = {
    async write(_contract: string, _fn: string, [inputs]: [{ record: RecordLeaf }[]]) {
      const ids = inputs.map((input) => input.record.recordId);
      batches.push(ids);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const seen = new Set(anchored);
      for (const id of ids) {
        if (seen.has(id)) {
          throw Object.assign(new Error(`RecordsAlreadyAnchored(${id})`), {
            contractError: { name: 'RecordsAlreadyAnchored', args: [id] },
          });
        }
        seen.add(id);
      }
      for (const id of ids) anchored.add(id);
      return { events: [], blockNumber: 1n, hash: zero };
    },
  };
  return { ledger: ledger as unknown as LedgerClient, anchored, batches };
}

const store = { insertRecords: async () => undefined } as unknown as GatewayStore;

describe('anchorer', () => {
  it('one record twice in a batch: the first is anchored, the second refused as a duplicate', async () => {
    const { ledger, anchored, batches } = fakeLedger();
    const anchorer = createAnchorer({ ledger, store, maxInFlight: 1 });
    // The first batch holds `a` alone; `b` twice and `c` wait and go out together.
    const [a, b1, b2, c] = await Promise.allSettled(
      ['a', 'b', 'b', 'c'].map((id) => anchorer.anchor(request(id))),
    );
    assert.deepEqual(
      [a, b1, b2, c].map((result) => result?.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((b2 as PromiseRejectedResult).reason), /RecordsAlreadyAnchored/);
    assert.equal(anchored.size, 3);
    assert.equal(batches[1]?.length, 3, 'b, b and c went out in one batch');
  });

  it('a record anchored before, sent twice in a batch: both refused', async () => {
    const { ledger, anchored } = fakeLedger();
    const anchorer = createAnchorer({ ledger, store, maxInFlight: 1 });
    await anchorer.anchor(request('d'));
    const results = await Promise.allSettled(['e', 'd', 'd', 'f'].map((id) => anchorer.anchor(request(id))));
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.equal(anchored.size, 3);
  });
});
