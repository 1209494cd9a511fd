/**
 * Free TCP ports on 127.0.0.1 for processes started here (gateways, the unisolated chain, tests).
 *
 * Chosen below the kernel's ephemeral range: a port from `listen(0)` lies inside it, where any
 * outgoing connection (a health poll, one gateway calling another) may take it as its local port
 * between the check and the child's own `listen`. Below the range only another listener can.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

const fallbackEphemeralStart = 32768;
const lowestPort = 10_000;
const attempts = 200;

/**
 * Returns a port `p` such that `p`, `p + 1` ... `p + count - 1` are all free on 127.0.0.1 now.
 *
 * @example
 * const port = await freePort(3); // three consortium gateways on port, port + 1, port + 2
 */
export async function freePort(count = 1): Promise<number> {
  const below = ephemeralRangeStart();
  for (let attempt = 0; attempt < attempts; attempt++) {
    const base = lowestPort + Math.floor(Math.random() * (below - lowestPort - count));
    const held: Server[] = [];
    try {
      for (let offset = 0; offset < count; offset++) held.push(await listenOn(base + offset));
      return base;
    } catch {
      // One of them is taken: try another base.
    } finally {
      await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  }
  throw new Error(`No ${count} consecutive free ports found on 127.0.0.1 below ${below}.`);
}

function ephemeralRangeStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(start);
    return Number.isInteger(port) && port > lowestPort + 1000 ? port : fallbackEphemeralStart;
  } catch {
    return fallbackEphemeralStart;
  }
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
