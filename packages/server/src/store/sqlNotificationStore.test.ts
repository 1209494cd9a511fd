import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Address } from 'viem';
import { storeBackends } from '../../test/helpers/storeBackends.ts';
import type { GatewayStores } from './gatewayStores.ts';

const alice = '0xA11CE00000000000000000000000000000000001' as Address;
const bob = '0xB0B0000000000000000000000000000000000002' as Address;
const draft = (key: string, recipient = alice) => ({
  recipient,
  kind: 'grant-used',
  data: { grantId: 1, categories: ['lab'] },
  key,
});

for (const backend of storeBackends) {
  describe(`notification store on ${backend.name}`, () => {
    let stores: GatewayStores;
    beforeEach(async () => {
      stores = await backend.open();
    });
    afterEach(() => stores.close());

    it('stores each key once, numbers notifications in order and lists them per recipient', async () => {
      const stored = await stores.notifications.addNotifications(
        [draft('a'), draft('b', bob), draft('c')],
        10,
      );
      assert.deepEqual(
        stored.map((n) => [n.id, n.recipient]),
        [
          [1, alice.toLowerCase()],
          [2, bob.toLowerCase()],
          [3, alice.toLowerCase()],
        ],
      );
      const again = await stores.notifications.addNotifications([draft('a'), draft('d')]);
      assert.deepEqual(
        again.map((n) => n.data),
        [draft('d').data],
        'a key seen before is dropped',
      );
      assert.ok(again[0]!.id > 3, 'ids increase (a dropped draft may use one up)');
      const ofAlice = await stores.notifications.notificationsOf(alice, 0, 10);
      assert.deepEqual(
        ofAlice.map((n) => n.id),
        [1, 3, again[0]!.id],
      );
      assert.deepEqual(ofAlice[0]?.data, draft('a').data);
      assert.deepEqual(
        (await stores.notifications.notificationsOf(alice, 1, 1)).map((n) => n.id),
        [3],
      );
    });

    it('moves the cursor of chain events with the notifications, and back', async () => {
      assert.equal(await stores.notifications.notifiedBlock(), null);
      await stores.notifications.addNotifications([], 20);
      assert.equal(await stores.notifications.notifiedBlock(), 20);
      await stores.notifications.rewindNotifiedBlock(25);
      assert.equal(await stores.notifications.notifiedBlock(), 20, 'never forward');
      await stores.notifications.rewindNotifiedBlock(15);
      assert.equal(await stores.notifications.notifiedBlock(), 15);
      await stores.notifications.rewindNotifiedBlock(null);
      assert.equal(await stores.notifications.notifiedBlock(), null);
    });
  });
}
