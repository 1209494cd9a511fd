/**
 * A viem public client of the ledger's chain, over an endpoint's transport (`ledgerEndpoint.ts`).
 * Shared by the ledger client and by deploying the contracts.
 */
import { type Chain, createPublicClient, defineChain, type PublicClient } from 'viem';
import type { LedgerEndpoint } from './ledgerEndpoint.ts';

/** The viem chain of a medledger network. */
function ledgerChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `medledger-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/**
 * @example
 * const client = createLedgerPublicClient(httpEndpoint('http://127.0.0.1:8545'), 31337);
 * await client.getBlockNumber();
 */
export function createLedgerPublicClient(
  endpoint: LedgerEndpoint,
  chainId: number,
  pollingIntervalMs = 25,
): PublicClient {
  return createPublicClient({
    chain: ledgerChain(chainId, endpoint.url),
    transport: endpoint.transport,
    pollingInterval: pollingIntervalMs,
  }) as PublicClient;
}
