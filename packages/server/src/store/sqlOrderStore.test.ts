import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import { storeBackends } from '../../test/helpers/storeBackends.ts';
import type { ChainIndexUpdate, GatewayStore, OrderEvent } from './gatewayStore.ts';
import type { GatewayStores } from './gatewayStores.ts';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address;
const patient = address(1);
const doctor = address(2);
const pharmacist = address(3);

function update(toBlock: number, orderEvents: OrderEvent[]): ChainIndexUpdate {
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
    orderEvents,
  };
}

const prescription = id(10);
const placed: OrderEvent = {
  type: 'placed',
  orderId: prescription,
  actor: doctor,
  patient,
  requesterOrganisation: 1,
  performerOrganisation: 0,
  kind: 2,
  quantity: 60,
  fills: 2,
  at: 1_000,
  blockNumber: 5,
  logIndex: 0,
};
const dispensed = (n: number, fillsUsed: number, logIndex: number): OrderEvent => ({
  type: 'dispensed',
  orderId: prescription,
  actor: pharmacist,
  quantity: 30,
  dispensed: n,
  fillsUsed,
  recordId: id(20 + logIndex),
  at: 1_100 + logIndex,
  blockNumber: 6,
  logIndex,
});

for (const backend of storeBackends) {
  if (backend.name === 'PostgreSQL' && process.env.MEDLEDGER_TEST_STORE !== 'postgres') continue;
  describe(`orders in the chain index (${backend.name})`, () => {
    let stores: GatewayStores;
    let store: GatewayStore;
    before(async () => {
      stores = await backend.open();
      store = stores.store;
    });
    after(() => stores.close());

    it('follows an order through its events with the cursor, once however often a range is applied', async () => {
      await store.applyChainIndex(update(5, [placed]));
      const steps = update(6, [dispensed(30, 1, 3), dispensed(60, 2, 7)]);
      await store.applyChainIndex(steps);
      await store.applyChainIndex(steps);
      const order = await store.order(prescription);
      assert.equal(order?.status, 4);
      assert.equal(order?.dispensed, 60);
      assert.equal(order?.fillsUsed, 2);
      assert.equal(order?.updatedAt, 1_107);
      assert.deepEqual(
        (await store.orderSteps(prescription)).map((step) => [step.status, step.quantity, step.recordIds]),
        [
          [1, null, [prescription]],
          [3, 30, [id(23)]],
          [4, 30, [id(27)]],
        ],
      );
      assert.equal(await store.indexedBlock(), 6);
      assert.deepEqual(
        (await store.orders({ openPrescriptionsOf: [patient] })).map((row) => row.orderId),
        [prescription],
      );
      assert.deepEqual(await store.orders({ performerOrganisation: 9 }), []);
    });

    it('forgets orders and their steps when the chain index is reset (a rewind), to rebuild them', async () => {
      await store.resetChainIndex();
      assert.equal(await store.order(prescription), undefined);
      assert.deepEqual(await store.orderSteps(prescription), []);
      await store.applyChainIndex(update(5, [placed]));
      assert.equal((await store.order(prescription))?.status, 1);
    });
  });
}
