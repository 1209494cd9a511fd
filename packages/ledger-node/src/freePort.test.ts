import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, test } from 'node:test';
import { freePort } from './freePort.ts';

const ephemeralStart = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('freePort', () => {
  test('returns consecutive ports that can all be listened on, below the ephemeral range', async () => {
    const port = await freePort(3);
    assert.ok(port + 2 < ephemeralStart, `${port} + 2 lies below ${ephemeralStart}`);
    const servers = [await listen(port), await listen(port + 1), await listen(port + 2)];
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });
});
