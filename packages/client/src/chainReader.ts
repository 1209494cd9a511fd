/**
 * Reading the chain as a client: through the read-only JSON-RPC endpoint a gateway names
 * (`rpcUrl` of `GET /api/ledger`, its `POST /rpc`), within that endpoint's limits.
 */
import { readOnlyRpcLimits } from '@medledger/core';
import { createPublicClient, http, type PublicClient } from 'viem';

/**
 * A viem client whose batches fit the endpoint (at most `maxBatchCalls` calls each).
 *
 * @example
 * const chain = createChainReader((await client.ledger()).rpcUrl);
 * await chain.getBlockNumber();
 */
export function createChainReader(rpcUrl: string): PublicClient {
  return createPublicClient({
    transport: http(rpcUrl, { batch: { batchSize: readOnlyRpcLimits.maxBatchCalls } }),
  }) as PublicClient;
}

/** Windows of blocks read at once: one batch of log queries. */
const windowsPerRound = 10;

/**
 * Runs `read` (an event query) over every block from `fromBlock` to the latest, in windows the
 * endpoint accepts (`maxLogBlockRange` blocks), and returns the results in block order.
 *
 * @example
 * const anchors = await readInBlockWindows(chain, 0n, (range) =>
 *   chain.getContractEvents({ address, abi: recordsAbi, eventName: 'RecordAnchored', ...range }),
 * );
 */
export async function readInBlockWindows<T>(
  chain: PublicClient,
  fromBlock: bigint,
  read: (range: { fromBlock: bigint; toBlock: bigint }) => Promise<T[]>,
): Promise<T[]> {
  const latest = await chain.getBlockNumber({ cacheTime: 0 });
  const span = BigInt(readOnlyRpcLimits.maxLogBlockRange);
  const windows: { fromBlock: bigint; toBlock: bigint }[] = [];
  for (let start = fromBlock; start <= latest; start += span) {
    windows.push({ fromBlock: start, toBlock: start + span - 1n < latest ? start + span - 1n : latest });
  }
  const results: T[] = [];
  for (let index = 0; index < windows.length; index += windowsPerRound) {
    const round = await Promise.all(windows.slice(index, index + windowsPerRound).map(read));
    results.push(...round.flat());
  }
  return results;
}
