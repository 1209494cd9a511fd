/**
 * A chain's JSON-RPC endpoint, as the gateway is given it: an `http(s)://` URL, or a Unix socket
 * (the embedded anvil's `chain/anvil.ipc`, or geth/Besu-style `--ipc`), written `ipc://` followed by
 * the socket's absolute path as is (`ipc:///srv/medledger/chain/anvil.ipc`), or as the bare absolute
 * path. One function picks the transport; one sends raw calls, for forwarding and for probes.
 */
import { LedgerUnavailableError } from '@medledger/core';
import { http, type Transport } from 'viem';
import {
  ipc,
  ipcConnectionTo,
  type JsonRpcCall,
  type JsonRpcFailure,
  type JsonRpcOutcome,
} from './ipcTransport.ts';

const requestTimeoutMs = 15_000;

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
 * The viem transport for `endpoint`: batching HTTP (500 calls, sent at the end of the turn) or the
 * IPC socket with equivalent batching; 15 s per request, one retry.
 */
export function rpcTransport(endpoint: string): Transport {
  const socketPath = ipcSocketPathOf(endpoint);
  if (socketPath) return ipc(socketPath, { timeoutMs: requestTimeoutMs, retryCount: 1 });
  return http(endpoint, {
    batch: { batchSize: 500, wait: 0 },
    retryCount: 1,
    timeout: requestTimeoutMs,
  }) as Transport;
}

/**
 * Sends `calls` to the node as they are and returns what it answered to each, in order: a result or
 * the node's own JSON-RPC error (revert data included). Fails with `LedgerUnavailableError` only
 * when the node cannot be reached or answers something that is not JSON-RPC.
 *
 * @example
 * const [chainId] = await sendRpcCalls('ipc:///srv/medledger/chain/anvil.ipc', [{ method: 'eth_chainId' }]);
 */
export async function sendRpcCalls(
  endpoint: string,
  calls: readonly JsonRpcCall[],
): Promise<JsonRpcOutcome[]> {
  if (!calls.length) return [];
  const socketPath = ipcSocketPathOf(endpoint);
  try {
    if (socketPath) {
      const connection = ipcConnectionTo(socketPath);
      return await Promise.all(calls.map((call) => connection.request(call, requestTimeoutMs)));
    }
    return await postBatch(endpoint, calls);
  } catch (error) {
    throw new LedgerUnavailableError(`The chain at ${endpoint} could not be reached.`, {
      details: (error as { shortMessage?: string }).shortMessage ?? (error as Error).message,
      cause: error,
    });
  }
}

interface RawAnswer {
  id?: unknown;
  result?: unknown;
  error?: JsonRpcFailure;
}

async function postBatch(url: string, calls: readonly JsonRpcCall[]): Promise<JsonRpcOutcome[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      calls.map((call, id) => ({ jsonrpc: '2.0', id, method: call.method, params: call.params ?? [] })),
    ),
    signal: AbortSignal.timeout(requestTimeoutMs),
  });
  const body = (await response.json().catch(() => undefined)) as RawAnswer | RawAnswer[] | undefined;
  if (!Array.isArray(body)) {
    // A node that refuses the whole batch answers one error for it.
    const error = body?.error;
    if (error) return calls.map(() => ({ error }));
    throw new Error(`HTTP ${response.status}: not a JSON-RPC answer`);
  }
  const byId = new Map(body.map((answer) => [answer?.id, answer]));
  return calls.map((_, id) => {
    const answer = byId.get(id);
    if (!answer) throw new Error(`the node did not answer call ${id} of the batch`);
    return answer.error ? { error: answer.error } : { result: answer.result };
  });
}
