/**
 * How the ledger reaches a chain node: a viem transport for typed calls, and raw JSON-RPC for the
 * gateway's read-only endpoint, which forwards calls and returns the node's answers as they are.
 *
 * This module knows HTTP only, so it runs in browsers too; `@medledger/ledger-node` adds the
 * Unix-socket endpoints of the embedded anvil and of geth/Besu-style `--ipc` nodes.
 */
import { LedgerUnavailableError } from '@medledger/core';
import { http, type Transport } from 'viem';

/** One JSON-RPC call, as forwarded to a node. */
export interface JsonRpcCall {
  method: string;
  params?: unknown;
}

/** A node's JSON-RPC error, revert data included. */
export interface JsonRpcFailure {
  code: number;
  message: string;
  data?: unknown;
}

/** What a node answered to one call: a result or a JSON-RPC error. */
export type JsonRpcOutcome = { result: unknown } | { error: JsonRpcFailure };

/** A chain node as the ledger client talks to it. */
export interface LedgerEndpoint {
  /** The endpoint as it was given (an `http(s)://` URL, or `ipc://` and a socket path). */
  url: string;
  /** The viem transport for typed calls. */
  transport: Transport;
  /**
   * Sends `calls` as they are and returns what the node answered to each, in order: a result or
   * the node's own JSON-RPC error. Fails with `LedgerUnavailableError` only when the node cannot be
   * reached or answers something that is not JSON-RPC.
   */
  send(calls: readonly JsonRpcCall[]): Promise<JsonRpcOutcome[]>;
}

/** Milliseconds before one request to the node fails. */
export const rpcRequestTimeoutMs = 15_000;

/**
 * An HTTP endpoint: batching transport (500 calls, sent at the end of the turn), 15 s per request,
 * one retry; raw calls go out as one JSON-RPC batch.
 *
 * @example
 * const ledger = createLedgerClient({ endpoint: httpEndpoint('http://127.0.0.1:8545'), relayer, deployment });
 */
export function httpEndpoint(url: string): LedgerEndpoint {
  return {
    url,
    transport: http(url, {
      batch: { batchSize: 500, wait: 0 },
      retryCount: 1,
      timeout: rpcRequestTimeoutMs,
    }) as Transport,
    send: (calls) => unavailableOnFailure(url, () => postBatch(url, calls)),
  };
}

/**
 * Runs `send` (calls to the node at `url`, unless there are none); a failure to reach it becomes a
 * `LedgerUnavailableError`.
 */
export async function unavailableOnFailure(
  url: string,
  send: () => Promise<JsonRpcOutcome[]>,
): Promise<JsonRpcOutcome[]> {
  try {
    return await send();
  } catch (error) {
    throw new LedgerUnavailableError(`The chain at ${url} could not be reached.`, {
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
  if (!calls.length) return [];
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      calls.map((call, id) => ({ jsonrpc: '2.0', id, method: call.method, params: call.params ?? [] })),
    ),
    signal: AbortSignal.timeout(rpcRequestTimeoutMs),
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
