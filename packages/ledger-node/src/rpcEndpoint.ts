/**
 * A chain's JSON-RPC endpoint, as the gateway is given it: an `http(s)://` URL, or a Unix socket
 * (the embedded anvil's `chain/anvil.ipc`, or geth/Besu-style `--ipc`), written `ipc://` followed by
 * the socket's absolute path as is (`ipc:///srv/medledger/chain/anvil.ipc`), or as the bare absolute
 * path. One function picks the endpoint; another sends raw calls through it.
 */
import {
  httpEndpoint,
  type JsonRpcCall,
  type JsonRpcOutcome,
  type LedgerEndpoint,
  rpcRequestTimeoutMs,
  unavailableOnFailure,
} from '@medledger/ledger';
import { ipc, ipcConnectionTo } from './ipcTransport.ts';

/** The socket path of an IPC endpoint (`ipc:///path` or `/path`), or undefined for any other. */
export function ipcSocketPathOf(endpoint: string): string | undefined {
  const path = endpoint.startsWith('ipc://') ? endpoint.slice('ipc://'.length) : endpoint;
  return path.startsWith('/') ? path : undefined;
}

/** Whether `endpoint` is one the ledger can talk to: http(s) or an IPC socket. */
export function isRpcEndpoint(endpoint: string): boolean {
  return /^https?:\/\/\S+$/.test(endpoint) || ipcSocketPathOf(endpoint) !== undefined;
}

/**
 * The ledger endpoint `endpoint` names: the IPC socket (batching like the HTTP transport, 15 s per
 * request, one retry) or HTTP (`httpEndpoint` of `@medledger/ledger`).
 *
 * @example
 * const ledger = createLedgerClient({ endpoint: ledgerEndpoint(chain.rpcUrl), relayer, deployment });
 */
export function ledgerEndpoint(endpoint: string): LedgerEndpoint {
  const socketPath = ipcSocketPathOf(endpoint);
  if (!socketPath) return httpEndpoint(endpoint);
  return {
    url: endpoint,
    transport: ipc(socketPath, { timeoutMs: rpcRequestTimeoutMs, retryCount: 1 }),
    send: (calls) =>
      unavailableOnFailure(endpoint, () => {
        const connection = ipcConnectionTo(socketPath);
        return Promise.all(calls.map((call) => connection.request(call, rpcRequestTimeoutMs)));
      }),
  };
}

/**
 * Sends `calls` to the node as they are and returns what it answered to each, in order (see
 * `LedgerEndpoint.send`).
 *
 * @example
 * const [chainId] = await sendRpcCalls('ipc:///srv/medledger/chain/anvil.ipc', [{ method: 'eth_chainId' }]);
 */
export function sendRpcCalls(endpoint: string, calls: readonly JsonRpcCall[]): Promise<JsonRpcOutcome[]> {
  return ledgerEndpoint(endpoint).send(calls);
}
