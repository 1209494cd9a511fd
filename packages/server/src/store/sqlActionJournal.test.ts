import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import { storeBackends } from '../../test/helpers/storeBackends.ts';
import type { GatewayStores } from './gatewayStores.ts';

const contract = '0xC0C0000000000000000000000000000000000001' as Address;
const author = '0xA11CE00000000000000000000000000000000001' as Address;
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const entry = (n: number) => ({
  to: contract,
  data: `0x${n.toString(16).padStart(8, '0')}` as Hex,
  gas: 100_000n + BigInt(n),
  functionName: 'anchorRecord',
  author,
});

for (const backend of storeBackends) {
  describe(`relay journal on ${backend.name}`, () => {
    let stores: GatewayStores;
    beforeEach(async () => {
      stores = await backend.open();
    });
    afterEach(() => stores.close());

    it('numbers the appends of one tick in order and commits them together', async () => {
      const ids = await Promise.all([1, 2, 3].map((n) => stores.journal.append(entry(n))));
      assert.deepEqual(ids, [1, 2, 3]);
      const pending = await stores.journal.pending();
      assert.deepEqual(
        pending.map((e) => [e.id, e.data, e.gas, e.status, e.author]),
        [1, 2, 3].map((n) => [n, entry(n).data, entry(n).gas, 'pending', author.toLowerCase()]),
      );
      assert.equal(await stores.journal.pendingCount(), 3);
    });

    it('keeps mined entries by block, and forgets settled ones', async () => {
      const [first, second, third] = await Promise.all([1, 2, 3].map((n) => stores.journal.append(entry(n))));
      await stores.journal.sent(first!, hash(10));
      assert.equal((await stores.journal.pending())[0]?.transactionHash, hash(10));
      await Promise.all([
        stores.journal.mined(first!, { transactionHash: hash(11), blockNumber: 5, blockHash: hash(21) }),
        stores.journal.mined(second!, { transactionHash: hash(12), blockNumber: 7, blockHash: hash(22) }),
      ]);
      await stores.journal.settle(third!, 'expired', 'deadline passed');
      assert.deepEqual(await stores.journal.pending(), []);
      assert.equal((await stores.journal.latestMined())?.id, second);
      assert.deepEqual(
        (await stores.journal.minedBefore(8, 10)).map((e) => [e.id, e.blockNumber, e.blockHash]),
        [
          [second, 7, hash(22)],
          [first, 5, hash(21)],
        ],
      );
      assert.deepEqual(
        (await stores.journal.minedBefore(7, 10)).map((e) => e.id),
        [first],
      );
    });
  });
}
