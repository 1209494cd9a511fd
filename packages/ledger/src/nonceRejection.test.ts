import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type EmbeddedChain,
  fundOnDevelopmentChain,
  ledgerEndpoint,
  startEmbeddedChain,
} from '@medledger/ledger-node';
import type { PublicClient } from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { createLedgerPublicClient } from './ledgerPublicClient.ts';
import { isNonceRejection } from './nonceRejection.ts';

describe("a node's nonce refusals, as viem classifies them", () => {
  let directory: string;
  let chain: EmbeddedChain;
  let client: PublicClient;
  const sender = privateKeyToAccount(generatePrivateKey());
  /** A transfer to itself by `account`, sent as is. */
  const transfer = async (nonce: number, account: PrivateKeyAccount = sender) =>
    client.sendRawTransaction({
      serializedTransaction: await account.signTransaction({
        chainId: chain.chainId,
        type: 'legacy',
        to: account.address,
        gas: 21_000n,
        gasPrice: 10n ** 10n,
        nonce,
      }),
    });
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'medledger-nonce-'));
    chain = await startEmbeddedChain({ directory: join(directory, 'chain') });
    client = createLedgerPublicClient(ledgerEndpoint(chain.rpcUrl), chain.chainId);
    await fundOnDevelopmentChain(chain.rpcUrl, chain.chainId, sender.address);
    await transfer(0);
  });
  after(async () => {
    await chain?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  test('a used nonce is a nonce rejection', async () => {
    const error = await transfer(0).then(
      () => assert.fail('the node accepted a used nonce'),
      (rejected: unknown) => rejected,
    );
    assert.equal(isNonceRejection(error), true);
  });

  test('any other refusal is not', async () => {
    const unfunded = privateKeyToAccount(generatePrivateKey());
    const error = await transfer(0, unfunded).then(
      () => assert.fail('the node accepted a transaction nobody pays for'),
      (rejected: unknown) => rejected,
    );
    assert.equal(isNonceRejection(error), false);
    assert.equal(isNonceRejection(new Error('nonce too low')), false);
  });
});
