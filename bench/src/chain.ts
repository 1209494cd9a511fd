/**
 * The bench's own way to a gateway's embedded chain, through anvil's IPC socket (which only the
 * data directory's owner reaches): transaction receipts, and records anchored directly by calling
 * `Records.anchorRecords` from one of anvil's unlocked development accounts (the contract checks
 * each record's signature and grant, not who sends the batch).
 */
import { recordsAbi } from '@medledger/contracts';
import { sendRpcCalls } from '@medledger/ledger-node';
import { type Address, encodeFunctionData, type Hex } from 'viem';
import type { PreparedLeaf } from './prepare.ts';

async function call<T>(rpcUrl: string, method: string, params: unknown[] = []): Promise<T> {
  const [outcome] = await sendRpcCalls(rpcUrl, [{ method, params }]);
  if (!outcome) throw new Error(`${method}: no answer`);
  if ('error' in outcome) throw new Error(`${method}: ${outcome.error.message}`);
  return outcome.result as T;
}

/** Gas a mined transaction used; throws if it reverted. */
export async function gasUsedBy(rpcUrl: string, hash: Hex): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const receipt = await call<{ gasUsed: Hex; status: Hex } | null>(rpcUrl, 'eth_getTransactionReceipt', [
      hash,
    ]);
    if (receipt) {
      if (receipt.status !== '0x1') throw new Error(`transaction ${hash} reverted`);
      return Number(BigInt(receipt.gasUsed));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no receipt for ${hash}`);
}

export interface AnchorInput {
  leaf: PreparedLeaf;
  grantId: bigint;
  signature: Hex;
}

/**
 * anvil's unlocked development accounts, which send the bench's own transactions (one account per
 * transaction under way: anvil gives concurrent sends of one account the same nonce).
 */
export async function developmentAccounts(rpcUrl: string): Promise<Address[]> {
  const accounts = await call<Address[]>(rpcUrl, 'eth_accounts');
  if (!accounts.length) throw new Error('the chain has no unlocked account');
  return accounts;
}

/** Sends one `anchorRecords` transaction of `batch`; resolves with its hash once mined (automine). */
export async function anchorDirectly(
  rpcUrl: string,
  from: Address,
  recordsContract: Address,
  batch: AnchorInput[],
): Promise<Hex> {
  const data = encodeFunctionData({
    abi: recordsAbi,
    functionName: 'anchorRecords',
    args: [
      batch.map(({ leaf, grantId, signature }) => ({
        record: { ...leaf, createdAt: BigInt(leaf.createdAt) },
        grantId,
        signature,
      })),
    ],
  });
  // The gateway's own limits: well above what a record uses, so no estimate is needed.
  const gas = 100_000n * BigInt(batch.length) + 200_000n;
  return call<Hex>(rpcUrl, 'eth_sendTransaction', [
    { from, to: recordsContract, data, gas: `0x${gas.toString(16)}` },
  ]);
}
