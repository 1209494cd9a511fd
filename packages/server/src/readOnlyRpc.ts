/**
 * The gateway's read-only JSON-RPC endpoint, without HTTP: which calls may reach the chain and in
 * what shape. Browsers (the ledger explorer), `medledger verify` and anyone else read the chain
 * here; the chain's own endpoint is private to the gateway. Only reads on an allowlist pass;
 * writes go through the signed-action routes, which check who signed them.
 *
 * Answers follow JSON-RPC 2.0: a refused call gets an error with a stable `data.reason`
 * (`method_not_allowed`, `batch_too_large`, `log_range_too_wide`, `invalid_request`,
 * `invalid_params`); the node's own answers (results, reverts) pass through unchanged.
 */
import { LedgerUnavailableError, readOnlyRpcLimits } from '@medledger/core';
import type { JsonRpcCall, JsonRpcFailure, JsonRpcOutcome } from '@medledger/ledger';

/** Chain reads that change nothing and cost little. */
export const readOnlyRpcMethods: ReadonlySet<string> = new Set([
  'eth_chainId',
  'net_version',
  'web3_clientVersion',
  'eth_blockNumber',
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'eth_getTransactionByHash',
  'eth_getTransactionReceipt',
  'eth_call',
  'eth_getLogs',
  'eth_getCode',
  'eth_getBalance',
  'eth_getTransactionCount',
  // Storage holds nothing that eth_call and the logs do not already show.
  'eth_getStorageAt',
]);

/** Gas an `eth_call` may burn (geth's default cap): a read never needs more, a loop would take longer. */
export const maxCallGas = 50_000_000n;

/** Sends calls to the chain and returns its answers, in order (the ledger client's `forwardRpc`). */
export type RpcForwarder = (calls: readonly JsonRpcCall[]) => Promise<JsonRpcOutcome[]>;

type JsonRpcId = string | number | null;

export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
  | { jsonrpc: '2.0'; id: JsonRpcId; error: JsonRpcFailure };

const blockTags = new Set(['earliest', 'latest', 'safe', 'finalized', 'pending']);

/** How many calls a request body holds, counted before anything is checked (for rate limits). */
export function callCountOf(body: unknown): number {
  return Array.isArray(body) ? Math.max(body.length, 1) : 1;
}

/**
 * Answers a JSON-RPC request body (one call or a batch): refuses what is not an allowed read,
 * bounds log queries, and forwards the rest in one go.
 *
 * @example
 * const answer = await answerReadOnlyRpc(ledger.forwardRpc, { jsonrpc: '2.0', id: 1, method: 'evm_revert', params: ['0x1'] });
 * // { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method evm_revert is not allowed here…', data: { reason: 'method_not_allowed' } } }
 */
export async function answerReadOnlyRpc(
  forward: RpcForwarder,
  body: unknown,
): Promise<JsonRpcResponse | JsonRpcResponse[]> {
  if (!Array.isArray(body)) return (await answerCalls(forward, [body]))[0]!;
  if (!body.length) return refusal(null, -32600, 'An empty batch.', 'invalid_request');
  if (body.length > readOnlyRpcLimits.maxBatchCalls) {
    return refusal(
      null,
      -32600,
      `A batch of ${body.length} calls; at most ${readOnlyRpcLimits.maxBatchCalls} are taken at once.`,
      'batch_too_large',
    );
  }
  return answerCalls(forward, body);
}

async function answerCalls(forward: RpcForwarder, requests: unknown[]): Promise<JsonRpcResponse[]> {
  let latest: Promise<bigint> | undefined;
  const latestBlock = () => {
    latest ??= forward([{ method: 'eth_blockNumber', params: [] }]).then(([outcome]) => {
      if (!outcome || 'error' in outcome)
        throw new LedgerUnavailableError('The chain did not say which block is its latest.');
      return BigInt(outcome.result as string);
    });
    return latest;
  };
  const checked = await Promise.all(requests.map((request) => checkCall(request, latestBlock)));
  const allowed = checked.filter((item): item is AllowedCall => 'call' in item);
  const outcomes = await forward(allowed.map((item) => item.call));
  const answers = new Map(allowed.map((item, index) => [item, outcomes[index]!]));
  return checked.map((item) => {
    if (!('call' in item)) return item;
    const outcome = answers.get(item)!;
    return 'error' in outcome
      ? { jsonrpc: '2.0', id: item.id, error: outcome.error }
      : { jsonrpc: '2.0', id: item.id, result: outcome.result };
  });
}

interface AllowedCall {
  id: JsonRpcId;
  call: JsonRpcCall;
}

async function checkCall(
  request: unknown,
  latestBlock: () => Promise<bigint>,
): Promise<AllowedCall | JsonRpcResponse> {
  if (!request || typeof request !== 'object' || Array.isArray(request)) {
    return refusal(null, -32600, 'A call must be a JSON-RPC 2.0 object.', 'invalid_request');
  }
  const { jsonrpc, id = null, method, params = [] } = request as Record<string, unknown>;
  const validId = typeof id === 'string' || typeof id === 'number' || id === null;
  const safeId = validId ? (id as JsonRpcId) : null;
  if (jsonrpc !== '2.0' || !validId || typeof method !== 'string') {
    return refusal(safeId, -32600, 'A call needs "jsonrpc": "2.0", an id and a method.', 'invalid_request');
  }
  if (!readOnlyRpcMethods.has(method)) {
    return refusal(
      safeId,
      -32601,
      `Method ${method.slice(0, 64)} is not allowed here: this endpoint serves chain reads only.`,
      'method_not_allowed',
    );
  }
  if (!Array.isArray(params)) {
    return refusal(safeId, -32602, 'Params must be an array.', 'invalid_params');
  }
  if (method === 'eth_getLogs') {
    const bounded = await boundedLogFilter(params, latestBlock);
    if ('refused' in bounded) return refusal(safeId, -32602, bounded.refused, bounded.reason);
    return { id: safeId, call: { method, params: [bounded.filter] } };
  }
  if (method === 'eth_call') return { id: safeId, call: { method, params: withGasCap(params) } };
  return { id: safeId, call: { method, params } };
}

/**
 * The filter with its block range made explicit (tags resolved now, so the range cannot grow before
 * the node runs it), or why it is refused.
 */
async function boundedLogFilter(
  params: unknown[],
  latestBlock: () => Promise<bigint>,
): Promise<{ filter: Record<string, unknown> } | { refused: string; reason: string }> {
  const [filter] = params;
  if (params.length !== 1 || !filter || typeof filter !== 'object' || Array.isArray(filter)) {
    return { refused: 'eth_getLogs takes one filter object.', reason: 'invalid_params' };
  }
  const { fromBlock = 'latest', toBlock = 'latest', blockHash } = filter as Record<string, unknown>;
  if (blockHash !== undefined) {
    if ('fromBlock' in filter || 'toBlock' in filter)
      return {
        refused: 'eth_getLogs takes a blockHash or a block range, not both.',
        reason: 'invalid_params',
      };
    return { filter: filter as Record<string, unknown> };
  }
  const from = await blockNumberOf(fromBlock, latestBlock);
  const to = await blockNumberOf(toBlock, latestBlock);
  if (from === undefined || to === undefined) {
    return {
      refused: 'eth_getLogs needs fromBlock and toBlock as block numbers or tags.',
      reason: 'invalid_params',
    };
  }
  const span = to - from + 1n;
  if (span > BigInt(readOnlyRpcLimits.maxLogBlockRange)) {
    return {
      refused: `eth_getLogs spans ${span} blocks; at most ${readOnlyRpcLimits.maxLogBlockRange} are read at once.`,
      reason: 'log_range_too_wide',
    };
  }
  return { filter: { ...filter, fromBlock: toQuantity(from), toBlock: toQuantity(to) } };
}

async function blockNumberOf(
  value: unknown,
  latestBlock: () => Promise<bigint>,
): Promise<bigint | undefined> {
  if (typeof value !== 'string') return undefined;
  if (/^0x[0-9a-fA-F]{1,16}$/.test(value)) return BigInt(value);
  if (!blockTags.has(value)) return undefined;
  // A safe or finalized block is at most the latest: counting from the latest never undercounts a range.
  return value === 'earliest' ? 0n : latestBlock();
}

/** The call with its gas limited to `maxCallGas` (a node defaults to the block's, here 2e9). */
function withGasCap(params: unknown[]): unknown[] {
  const [call, ...rest] = params;
  if (!call || typeof call !== 'object' || Array.isArray(call)) return params;
  const { gas } = call as { gas?: unknown };
  let requested: bigint | undefined;
  try {
    requested = typeof gas === 'string' ? BigInt(gas) : undefined;
  } catch {
    requested = undefined;
  }
  if (requested !== undefined && requested <= maxCallGas) return params;
  return [{ ...call, gas: toQuantity(maxCallGas) }, ...rest];
}

function toQuantity(value: bigint): string {
  return `0x${value.toString(16)}`;
}

function refusal(id: JsonRpcId, code: number, message: string, reason: string): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: { code, message, data: { reason } } };
}
