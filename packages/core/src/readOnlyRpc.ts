/**
 * The limits of a gateway's read-only JSON-RPC endpoint (`POST /rpc`, the `rpcUrl` of
 * `GET /api/ledger`): the gateway enforces them and its clients page their reads to fit.
 */
export const readOnlyRpcLimits = {
  /** Calls in one JSON-RPC batch. */
  maxBatchCalls: 100,
  /** Blocks one `eth_getLogs` may span, `fromBlock` to `toBlock` inclusive. */
  maxLogBlockRange: 5_000,
} as const;
