/**
 * The capacity view's load generator: replays requests prepared beforehand (bodies sealed and
 * signed, session tokens taken) over undici connection pools, with no crypto and no client logic
 * on the timed path. An operation is one request, or several in order (a threshold read asks a
 * second custodian once the first answered); it counts when every answer is 2xx.
 */
import { Pool } from 'undici';
import { type Phase, runConcurrently } from './stats.ts';

export interface PreparedRequest {
  /** Base URL of the gateway, e.g. http://127.0.0.1:8080 */
  origin: string;
  method: 'GET' | 'POST';
  path: string;
  token: string;
  body?: string;
}

export interface LoadGenerator {
  /** Runs each operation once, `concurrency` at once. */
  replay(name: string, operations: PreparedRequest[][], concurrency: number): Promise<Phase>;
  close(): Promise<void>;
}

/** Connections per gateway: as many as operations under way, at most this. */
const maxConnections = 512;

export function createLoadGenerator(): LoadGenerator {
  const pools = new Map<string, Pool>();
  const poolOf = (origin: string) => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: maxConnections, pipelining: 1, keepAliveTimeout: 60_000 });
      pools.set(origin, pool);
    }
    return pool;
  };

  async function send(request: PreparedRequest): Promise<void> {
    const response = await poolOf(request.origin).request({
      method: request.method,
      path: request.path,
      headers: {
        authorization: `Bearer ${request.token}`,
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new Error(`${request.method} ${request.path}: ${response.statusCode} ${text.slice(0, 300)}`);
    }
  }

  return {
    replay: (name, operations, concurrency) =>
      runConcurrently(name, operations.length, concurrency, async (index) => {
        for (const request of operations[index] as PreparedRequest[]) await send(request);
      }),
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
  };
}
