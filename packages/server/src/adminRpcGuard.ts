/**
 * A gateway started on a node it does not run (`--rpc`) first checks that the node serves no
 * administrative JSON-RPC: whoever reaches such a node can rewind the chain (evm_revert), sign
 * with its accounts, or change its peers and validators, undoing what the ledger records (a
 * consent revocation, an audit anchor). An IPC socket is private to its owner and is not probed.
 */
import { InvalidInputError } from '@medledger/core';
import { ipcSocketPathOf, probeAdminRpc } from '@medledger/ledger-node';

/**
 * Refuses a node that answers administrative methods (`InvalidInputError`, reason
 * `admin_rpc_exposed`, naming them) unless `allowAdminRpc`; then returns the warning to log.
 *
 * @example
 * const warning = await guardAgainstAdminRpc('https://besu.hospital-a.example:8545', false);
 */
export async function guardAgainstAdminRpc(
  rpcUrl: string,
  allowAdminRpc: boolean,
): Promise<string | undefined> {
  if (ipcSocketPathOf(rpcUrl)) return undefined;
  const exposed = await probeAdminRpc(rpcUrl);
  if (!exposed.length) return undefined;
  const what = `The node at ${rpcUrl} answers administrative JSON-RPC (${exposed.join(', ')}): anyone who reaches it can rewrite or sign on the ledger.`;
  if (allowAdminRpc) return `${what} Started anyway (--allow-admin-rpc).`;
  throw new InvalidInputError(what, {
    reason: 'admin_rpc_exposed',
    metaMessages: [
      'Turn those APIs off on the node (Besu: --rpc-http-api=ETH,NET,WEB3), or start with --allow-admin-rpc',
      'on a development chain nobody else can reach.',
    ],
    details: exposed.join(', '),
  });
}
