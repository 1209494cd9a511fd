/** Record derivations in the chain index: stored with the cursor, once however often a range is applied, forgotten on a rewind. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import { storeBackends } from '../../test/helpers/storeBackends.ts';
import { toIndexUpdate } from '../indexer.ts';
import type { ChainIndexUpdate, DerivationRow, GatewayStore } from './gatewayStore.ts';
import type { GatewayStores } from './gatewayStores.ts';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const doctor = `0x${'d0'.repeat(20)}` as Address;

function update(toBlock: number, derivations: DerivationRow[]): ChainIndexUpdate {
  return {
    toBlock,
    organisations: [],
    organisationActivations: [],
    members: [],
    memberSuspensions: [],
    patients: [],
    grants: [],
    revocations: [],
    requests: [],
    requestDenials: [],
    records: [],
    supersessions: [],
    derivations,
  };
}

const copy: DerivationRow = {
  recordId: id(2),
  kind: 1,
  sourceId: id(1),
  by: doctor,
  toOrganisation: 3,
  blockNumber: 7,
  logIndex: 0,
  transactionHash: id(99),
};
const move: DerivationRow = {
  ...copy,
  recordId: id(4),
  kind: 3,
  toOrganisation: 0,
  blockNumber: 8,
  logIndex: 2,
};

describe('the indexer reads RecordDerived', () => {
  it('into one derivation row, keyed by the new record', () => {
    const event = {
      eventName: 'RecordDerived',
      args: { kind: 1, sourceId: id(1), newRecordId: id(2), by: doctor, toOrganisation: 3 },
      blockNumber: 7n,
      logIndex: 0,
      transactionHash: id(99),
    } as unknown as Parameters<typeof toIndexUpdate>[0][number];
    assert.deepEqual(toIndexUpdate([event], 7).derivations, [copy]);
  });
});

for (const backend of storeBackends) {
  if (backend.name === 'PostgreSQL' && process.env.MEDLEDGER_TEST_STORE !== 'postgres') continue;
  describe(`record derivations in the chain index (${backend.name})`, () => {
    let stores: GatewayStores;
    let store: GatewayStore;
    before(async () => {
      stores = await backend.open();
      store = stores.store;
    });
    after(() => stores.close());

    it('stores each derivation with the cursor, once however often a range is applied', async () => {
      await store.applyChainIndex(update(7, [copy]));
      await store.applyChainIndex(update(8, [move]));
      await store.applyChainIndex(update(8, [move]));
      assert.deepEqual(await store.derivation(id(2)), copy);
      assert.deepEqual(await store.derivationsOf(id(1)), [copy, move]);
      assert.equal(await store.derivation(id(1)), undefined);
      assert.equal(await store.indexedBlock(), 8);
    });

    it('forgets them with the rest of the chain index (a rewind rebuilds them from the chain)', async () => {
      await store.resetChainIndex();
      assert.equal(await store.derivation(id(2)), undefined);
      assert.deepEqual(await store.derivationsOf(id(1)), []);
    });
  });
}
