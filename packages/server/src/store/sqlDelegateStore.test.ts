import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import { storeBackends } from '../../test/helpers/storeBackends.ts';
import type { ChainIndexUpdate, DelegateEvent, GatewayStore } from './gatewayStore.ts';
import type { GatewayStores } from './gatewayStores.ts';

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address;
const key = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const patient = address(1);
const otherPatient = address(2);
const carer = address(3);

function update(toBlock: number, delegateEvents: DelegateEvent[]): ChainIndexUpdate {
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
    delegateEvents,
  };
}

const added = (of: Address, block: number, categoryLimit = 0b1000): DelegateEvent => ({
  type: 'added',
  patient: of,
  delegate: carer,
  kind: 2,
  categoryLimit,
  encryptionKey: key(block),
  addedAtBlock: block,
});

for (const backend of storeBackends) {
  if (backend.name === 'PostgreSQL' && process.env.MEDLEDGER_TEST_STORE !== 'postgres') continue;
  describe(`delegates in the chain index (${backend.name})`, () => {
    let stores: GatewayStores;
    let store: GatewayStore;
    before(async () => {
      stores = await backend.open();
      store = stores.store;
    });
    after(() => stores.close());

    it('follows registrations and removals, the same however often a range is applied, and forgets them on reset', async () => {
      const range = update(5, [added(patient, 5), added(otherPatient, 5, 0b1)]);
      await store.applyChainIndex(range);
      await store.applyChainIndex(range);
      assert.deepEqual(await store.delegatesOfPatient(patient), [
        {
          patient,
          delegate: carer,
          kind: 2,
          categoryLimit: 0b1000,
          encryptionKey: key(5),
          active: true,
          addedAtBlock: 5,
        },
      ]);
      assert.deepEqual(
        (await store.delegationsTo(carer)).map((row) => [row.patient, row.categoryLimit, row.active]),
        [
          [patient, 0b1000, true],
          [otherPatient, 0b1, true],
        ],
      );

      await store.applyChainIndex(update(6, [{ type: 'removed', patient, delegate: carer }]));
      assert.equal((await store.delegatesOfPatient(patient))[0]?.active, false);
      assert.equal((await store.delegatesOfPatient(otherPatient))[0]?.active, true);

      await store.applyChainIndex(update(7, [added(patient, 7, 0b11)]));
      const [again] = await store.delegatesOfPatient(patient);
      assert.deepEqual(
        [again?.active, again?.categoryLimit, again?.encryptionKey, again?.addedAtBlock],
        [true, 0b11, key(7), 7],
      );

      await store.resetChainIndex();
      assert.deepEqual(await store.delegationsTo(carer), []);
    });
  });
}
