import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deployLedger, type TestLedger } from './helpers/ledger.ts';

/** EIP-170: the largest runtime code a contract may have on Ethereum (and on anvil by default). */
const maxRuntimeCodeBytes = 24_576;

describe('contract code size', () => {
  let ledger: TestLedger;
  before(async () => {
    ledger = await deployLedger();
  });
  after(() => ledger.stop());

  it('keeps every deployed contract within the EIP-170 limit', async () => {
    const contracts = Object.entries(ledger.addresses);
    assert.ok(contracts.length >= 9, 'every contract is deployed');
    for (const [contract, address] of contracts) {
      const code = await ledger.publicClient.getCode({ address });
      assert.ok(code && code.length > 2, `${contract} has runtime code`);
      const bytes = (code.length - 2) / 2;
      assert.ok(
        bytes <= maxRuntimeCodeBytes,
        `${contract} runtime code is ${bytes} bytes (limit ${maxRuntimeCodeBytes})`,
      );
    }
  });
});
