/**
 * A viem public client of the ledger's chain, over the transport its endpoint names (`rpcEndpoint.ts`).
 * Shared by the ledger client and by deploying the contracts.
 */
import { type Chain, createPublicClient, defineChain, type PublicClient } from 'viem';
import { rpcTransport } from './rpcEndpoint.ts';

export function ledgerChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `medledger-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export function createLedgerPublicClient(
  rpcUrl: string,
  chainId: number,
  pollingIntervalMs = 25,
): PublicClient {
  return createPublicClient({
    chain: ledgerChain(chainId, rpcUrl),
    transport: rpcTransport(rpcUrl),
    pollingInterval: pollingIntervalMs,
  }) as PublicClient;
}
