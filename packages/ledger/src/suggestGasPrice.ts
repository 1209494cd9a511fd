/** The relayer's gas price, shared by the ledger client's writes and by deploying the contracts. */
import type { PublicClient } from 'viem';

const priorityTip = 1_000_000_000n;

/**
 * The gas price the relayer offers: twice the latest block's base fee plus a fixed 1 gwei tip, so a
 * transaction stays valid while the base fee rises for a few blocks; nothing on a network whose
 * base fee is zero (a free-gas consortium network). Never derived from the node's own suggestion,
 * which follows the fees recently paid: offering a multiple of it compounds block after block.
 * Networks without EIP-1559 get the node's price as it is.
 */
export async function suggestGasPrice(publicClient: PublicClient): Promise<bigint> {
  const { baseFeePerGas } = await publicClient.getBlock({ blockTag: 'latest' });
  if (baseFeePerGas === null || baseFeePerGas === undefined) return publicClient.getGasPrice();
  return baseFeePerGas === 0n ? 0n : baseFeePerGas * 2n + priorityTip;
}
