/**
 * Whether a node serves administrative JSON-RPC: methods that let whoever reaches it rewind the
 * chain, sign with its accounts, change its peers or validators, or read its internals. The gateway
 * probes a `--rpc` node at start-up and refuses one that does.
 */
import type { JsonRpcCall } from '@medledger/ledger';
import { sendRpcCalls } from './rpcEndpoint.ts';

/**
 * Reads that change nothing and answer only when their namespace is enabled: each stands for the
 * writes of its namespace (admin_addPeer, debug_setHead, txpool content, personal_sign, validator
 * votes, permissioning, evm_revert and anvil_* / hardhat_* on development nodes).
 */
const adminProbes: readonly JsonRpcCall[] = [
  { method: 'admin_nodeInfo', params: [] },
  { method: 'debug_getBadBlocks', params: [] },
  { method: 'txpool_status', params: [] },
  { method: 'txpool_besuStatistics', params: [] },
  { method: 'personal_listAccounts', params: [] },
  { method: 'qbft_getPendingVotes', params: [] },
  { method: 'ibft_getPendingVotes', params: [] },
  { method: 'clique_getSigners', params: ['latest'] },
  { method: 'perm_getAccountsAllowlist', params: [] },
  { method: 'anvil_nodeInfo', params: [] },
  { method: 'hardhat_metadata', params: [] },
];

/**
 * The administrative methods the node at `endpoint` answered, plus `eth_accounts` when it lists
 * accounts it would sign for (so `eth_sendTransaction` and `eth_sign` work for anyone). Empty for
 * a node that serves only the ETH, NET and WEB3 namespaces. Each probe goes alone, so a node that
 * refuses batches is still probed.
 *
 * @example
 * const exposed = await probeAdminRpc('https://besu.hospital-a.example:8545');
 * if (exposed.length) throw new Error(`admin RPC exposed: ${exposed.join(', ')}`);
 */
export async function probeAdminRpc(endpoint: string): Promise<string[]> {
  const answers = await Promise.all(
    [...adminProbes, { method: 'eth_accounts', params: [] }].map(async (probe) => {
      const [outcome] = await sendRpcCalls(endpoint, [probe]);
      if (!outcome || 'error' in outcome) return undefined;
      if (probe.method === 'eth_accounts')
        return Array.isArray(outcome.result) && outcome.result.length ? probe.method : undefined;
      return probe.method;
    }),
  );
  return answers.filter((method): method is string => method !== undefined);
}
