/**
 * The gateway's edge under abuse, with its default limits: rate limits (429 with Retry-After and a
 * reason, per address and per account), bodies (nothing large read before sign-in, memory bounded
 * under 40 × 30 MB), connections (a cap per address, slow senders cut off), load shedding (503
 * `overloaded` at once past the requests in flight), TLS with HSTS, and security headers on every
 * kind of answer. Clients bind to other loopback addresses (127.0.0.N) to stand for other hosts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { accountOf, generateIdentity } from '@medledger/core';
import { keccak256, toBytes } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import { launchChromium } from '../../web/test/helpers/browser.ts';
import { defaultRateLimits } from '../src/index.ts';
import { signIn } from '../test/helpers/actors.ts';
import { startTestGateway, type TestGateway } from '../test/helpers/gateway.ts';
import { type GatewayProcess, startGatewayProcess } from './helpers/gatewayProcess.ts';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: { error?: { code: string; reason: string; fields?: Record<string, unknown> } } & Record<
    string,
    unknown
  >;
}

/** One request from `from` (a loopback address standing for a client host). */
function send(
  url: string,
  method: string,
  path: string,
  options: { from?: string; body?: unknown; token?: string; ca?: Buffer } = {},
): Promise<Answer> {
  const target = new URL(path, url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const requester = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = requester(
      target,
      {
        method,
        headers,
        agent: false,
        ...(options.from ? { localAddress: options.from } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk) => (text += chunk));
        incoming.on('end', () => {
          let body: Answer['body'] = {};
          try {
            body = text ? JSON.parse(text) : {};
          } catch {
            body = { text };
          }
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

function assertRateLimited(answer: Answer, limit: string): void {
  assert.equal(answer.status, 429, JSON.stringify(answer.body));
  assert.equal(answer.body.error?.code, 'rate_limited');
  assert.equal(answer.body.error?.reason, 'rate_limited');
  assert.equal(answer.body.error?.fields?.limit, limit);
  assert.match(String(answer.headers['retry-after']), /^[1-9]\d*$/);
  assert.equal(answer.body.error?.fields?.retryAfter, Number(answer.headers['retry-after']));
}

/** Sends `count` requests made by `make` one after the other; the statuses in order. */
async function sendMany(count: number, make: (index: number) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let index = 0; index < count; index++) answers.push(await make(index));
  return answers;
}

/** Waits until `condition` holds, polling; fails after `timeoutMs`. */
async function eventually(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A sign-in message for `address` with a nonce the gateway never gave (refused after the limits). */
function forgedSignIn(url: string, address: `0x${string}`) {
  const now = new Date();
  return {
    message: createSiweMessage({
      domain: new URL(url).host,
      address,
      statement: 'Sign in to medledger.',
      uri: new URL(url).origin,
      version: '1',
      chainId: 31337,
      nonce: `n${Math.random().toString(36).slice(2, 12)}`,
      issuedAt: now,
      expirationTime: new Date(now.getTime() + 60_000),
    }),
    signature: `0x${'11'.repeat(65)}`,
  };
}

const bytes32 = `0x${'ab'.repeat(32)}`;
const signed = { nonce: '1', deadline: '99999999999', signature: `0x${'cd'.repeat(65)}` };

describe('rate limits with their defaults', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ rateLimits: {} });
  });
  after(() => gateway?.stop());

  it('challenges: 429 past the limit per address, another address still served, stored nonces bounded', async () => {
    const { max } = defaultRateLimits.challenge;
    const answers = await sendMany(max + 10, () =>
      send(gateway.url, 'POST', '/api/auth/challenge', { from: '127.0.0.2' }),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      [...Array(max).fill(200), ...Array(10).fill(429)],
    );
    assertRateLimited(answers.at(-1) as Answer, 'challenge');
    assert.equal((await send(gateway.url, 'POST', '/api/auth/challenge', { from: '127.0.0.3' })).status, 200);
    const database = new DatabaseSync(gateway.storeLocation, { readOnly: true });
    const { count } = database.prepare('SELECT count(*) AS count FROM sign_in_nonces').get() as {
      count: number;
    };
    database.close();
    assert.ok(count <= max + 1, `${count} nonces stored for ${max + 11} challenges`);
  });

  it('failed sign-ins: 429 past the limit per account, and past the limit per address', async () => {
    const victim = accountOf(generateIdentity()).address;
    const perAccount = defaultRateLimits.signInAccount.max;
    const onOneAccount = await sendMany(perAccount + 5, () =>
      send(gateway.url, 'POST', '/api/auth/session', {
        from: '127.0.0.4',
        body: forgedSignIn(gateway.url, victim),
      }),
    );
    assert.ok(onOneAccount.slice(0, perAccount).every((a) => a.status === 401));
    assertRateLimited(onOneAccount.at(-1) as Answer, 'signInAccount');
    // The account is limited from any address; another account is not.
    assertRateLimited(
      await send(gateway.url, 'POST', '/api/auth/session', {
        from: '127.0.0.5',
        body: forgedSignIn(gateway.url, victim),
      }),
      'signInAccount',
    );
    const other = accountOf(generateIdentity()).address;
    const otherAnswer = await send(gateway.url, 'POST', '/api/auth/session', {
      from: '127.0.0.5',
      body: forgedSignIn(gateway.url, other),
    });
    assert.equal(otherAnswer.status, 401);

    const perAddress = defaultRateLimits.signIn.max;
    const fromOneAddress = await sendMany(perAddress + 5, () =>
      send(gateway.url, 'POST', '/api/auth/session', {
        from: '127.0.0.6',
        body: forgedSignIn(gateway.url, accountOf(generateIdentity()).address),
      }),
    );
    assert.equal(fromOneAddress.filter((a) => a.status === 401).length, perAddress);
    assertRateLimited(fromOneAddress.at(-1) as Answer, 'signIn');
  });

  it('access requests: 429 past the limit per member and patient; another patient still reachable', async () => {
    const member = generateIdentity();
    const token = await signIn(gateway.url, member);
    const patient = accountOf(generateIdentity()).address;
    const body = (to: string) => ({
      requester: accountOf(member).address,
      patient: to,
      categories: 8,
      actions: 1,
      reason: 'follow-up',
      reasonHash: keccak256(toBytes('follow-up')),
      ...signed,
    });
    const perPatient = defaultRateLimits.accessRequestPerPatient.max;
    const answers = await sendMany(perPatient + 1, () =>
      send(gateway.url, 'POST', '/api/access-requests', { token, body: body(patient), from: '127.0.0.7' }),
    );
    // Refused by the ledger (the signature is not the member's), but counted all the same.
    assert.deepEqual(
      answers.slice(0, perPatient).map((a) => a.body.error?.reason),
      Array(perPatient).fill('signed_action_invalid_signature'),
    );
    assertRateLimited(answers.at(-1) as Answer, 'accessRequestPerPatient');
    const elsewhere = await send(gateway.url, 'POST', '/api/access-requests', {
      token,
      body: body(accountOf(generateIdentity()).address),
      from: '127.0.0.7',
    });
    assert.equal(elsewhere.body.error?.reason, 'signed_action_invalid_signature');
  });

  it('key recovery and one-time codes: 429 past their limits', async () => {
    const recovery = await sendMany(defaultRateLimits.keyRecovery.max + 1, () =>
      send(gateway.url, 'POST', '/api/key-recovery/requests', {
        from: '127.0.0.8',
        body: {
          requestId: bytes32,
          patient: accountOf(generateIdentity()).address,
          recoveryKey: bytes32,
          createdAt: String(Math.floor(Date.now() / 1000)),
          tokenHash: bytes32,
        },
      }),
    );
    assert.ok(recovery.slice(0, -1).every((a) => a.status !== 429 && a.status < 500));
    assertRateLimited(recovery.at(-1) as Answer, 'keyRecovery');

    const token = await signIn(gateway.url, generateIdentity());
    const codes = await sendMany(defaultRateLimits.oneTimeCode.max + 1, () =>
      send(gateway.url, 'POST', '/api/otp/confirmation', {
        token,
        body: { code: '123456' },
        from: '127.0.0.9',
      }),
    );
    assert.ok(codes.slice(0, -1).every((a) => a.status !== 429 && a.status < 500));
    assertRateLimited(codes.at(-1) as Answer, 'oneTimeCode');
  });
});

describe('rate limits as configured', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ rateLimits: 'write=5/60,challenge=2/1' });
  });
  after(() => gateway?.stop());

  it('counts writes per account: one account limited, another not', async () => {
    const [first, second] = [
      await signIn(gateway.url, generateIdentity()),
      await signIn(gateway.url, generateIdentity()),
    ];
    const write = (token: string) =>
      send(gateway.url, 'POST', '/api/members', {
        token,
        body: {
          organisationId: 1,
          member: accountOf(generateIdentity()).address,
          role: 1,
          encryptionKey: bytes32,
          admin: accountOf(generateIdentity()).address,
          ...signed,
        },
      });
    const answers = await sendMany(6, () => write(first));
    assert.ok(
      answers.slice(0, 5).every((a) => a.status !== 429 && a.status < 500),
      JSON.stringify(answers[0]?.body),
    );
    assertRateLimited(answers.at(-1) as Answer, 'write');
    assert.notEqual((await write(second)).status, 429);
  });

  it('serves again once Retry-After has passed', async () => {
    const answers = await sendMany(3, () =>
      send(gateway.url, 'POST', '/api/auth/challenge', { from: '127.0.0.10' }),
    );
    const limited = answers.at(-1) as Answer;
    assertRateLimited(limited, 'challenge');
    const retryAt = Date.now() + Number(limited.headers['retry-after']) * 1000;
    await eventually(() => Date.now() >= retryAt, 5_000, 'the retry time');
    await eventually(
      async () =>
        (await send(gateway.url, 'POST', '/api/auth/challenge', { from: '127.0.0.10' })).status === 200,
      5_000,
      'a challenge answered after Retry-After',
    );
  });

  it('refuses a malformed limit with a clear error', async () => {
    await assert.rejects(
      startTestGateway({ rateLimits: 'signIn=lots' }),
      (error: Error & { reason?: string }) => {
        assert.equal(error.reason, 'bad_rate_limit');
        return true;
      },
    );
  });
});

/** Opens a raw connection from `from`; resolves once connected (or closed at once by the server). */
function openSocket(url: string, from: string): Promise<{ socket: Socket; closed: Promise<number> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress: from });
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now())));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, closed }));
    closed.then(() => resolve({ socket, closed }));
  });
}

describe('bodies, connections and load', () => {
  let gateway: GatewayProcess;
  before(async () => {
    gateway = await startGatewayProcess({
      logLevel: 'silent',
      config: { rateLimits: {}, maxConnectionsPerAddress: 128 },
    });
  });
  after(() => gateway?.stopAndRemove());

  it('reads no body before sign-in: 40 concurrent 30 MB uploads without a token leave memory bounded', async () => {
    const beforeMb = (await gateway.peakMemoryKiB()) / 1024;
    const body = Buffer.alloc(30 * 1024 * 1024, 'A');
    const { hostname, port } = new URL(gateway.url);
    const uploads = Array.from(
      { length: 40 },
      (_, index) =>
        new Promise<number | string>((resolve) => {
          const outgoing = httpRequest(
            {
              host: hostname,
              port,
              method: 'POST',
              path: '/api/records',
              agent: false,
              localAddress: `127.0.1.${index + 1}`,
              headers: { 'content-type': 'application/json', 'content-length': body.length },
            },
            (incoming) => {
              incoming.resume();
              resolve(incoming.statusCode ?? 0);
            },
          );
          // The gateway answers and closes before the body is sent: the write fails, as it should.
          outgoing.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
          outgoing.end(body);
        }),
    );
    const statuses = await Promise.all(uploads);
    const afterMb = (await gateway.peakMemoryKiB()) / 1024;
    const growthMb = afterMb - beforeMb;
    console.log(
      `40 x 30 MB unauthenticated uploads: answers ${JSON.stringify(countOf(statuses))}; gateway peak ${beforeMb.toFixed(0)} -> ${afterMb.toFixed(0)} MB (+${growthMb.toFixed(0)} MB)`,
    );
    assert.ok(
      statuses.every((status) => status === 401 || status === 'EPIPE' || status === 'ECONNRESET'),
      JSON.stringify(countOf(statuses)),
    );
    assert.ok(statuses.includes(401));
    // Without the check before the body, the same test took the peak up by ~430 MB.
    assert.ok(growthMb < 64, `the gateway's peak memory grew by ${growthMb.toFixed(0)} MB`);
    assert.equal((await send(gateway.url, 'GET', '/api/health')).status, 200);
  });

  it('caps connections per address and cuts off slow senders; other addresses are served meanwhile', async () => {
    const cap = 128;
    const opened = await Promise.all(
      Array.from({ length: 200 }, () => openSocket(gateway.url, '127.0.0.20')),
    );
    const start = Date.now();
    // Slow drip: a header line a byte at a time, never ending the headers.
    const drip = setInterval(() => {
      for (const { socket } of opened) if (!socket.destroyed) socket.write('X');
    }, 500);
    for (const { socket } of opened)
      if (!socket.destroyed) socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    try {
      await eventually(
        () => opened.filter(({ socket }) => socket.destroyed || socket.closed).length >= 200 - cap,
        5_000,
        'connections past the cap closed',
      );
      assert.equal((await send(gateway.url, 'GET', '/api/health', { from: '127.0.0.21' })).status, 200);
      const closedAt = await Promise.all(opened.map(({ closed }) => closed));
      const longestMs = Math.max(...closedAt) - start;
      console.log(
        `200 slow connections from one address: ${200 - cap} refused at once, the rest held at most ${longestMs} ms`,
      );
      // Headers must be complete within 10 s; Node checks every second.
      assert.ok(longestMs < 15_000, `a slow sender held its connection ${longestMs} ms`);
    } finally {
      clearInterval(drip);
      for (const { socket } of opened) socket.destroy();
    }
  });
});

describe('load shedding', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ maxRequestsInFlight: 8 });
  });
  after(() => gateway?.stop());

  it('answers 503 overloaded with Retry-After past the requests in flight, and serves again after', async () => {
    const { hostname, port } = new URL(gateway.url);
    // Eight requests under way: their bodies are sent slowly and never finished.
    const held = Array.from({ length: 8 }, () => {
      const outgoing = httpRequest({
        host: hostname,
        port,
        method: 'POST',
        path: '/api/auth/session',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': 1000 },
      });
      outgoing.on('error', () => {});
      outgoing.write('{"message":');
      return outgoing;
    });
    try {
      let shed: Answer | undefined;
      await eventually(
        async () => {
          shed = await send(gateway.url, 'GET', '/api/health');
          return shed.status === 503;
        },
        10_000,
        'a request shed',
      );
      assert.equal(shed?.body.error?.code, 'overloaded');
      assert.equal(shed?.body.error?.reason, 'overloaded');
      assert.equal(shed?.headers['retry-after'], '1');
      assertSecurityHeaders(shed as Answer, 'a 503 overloaded');
    } finally {
      for (const outgoing of held) outgoing.destroy();
    }
    await eventually(
      async () => (await send(gateway.url, 'GET', '/api/health')).status === 200,
      10_000,
      'served again',
    );
  });
});

function assertSecurityHeaders(answer: Answer, what: string): void {
  const headers = answer.headers;
  assert.equal(headers['x-content-type-options'], 'nosniff', what);
  assert.equal(headers['x-frame-options'], 'DENY', what);
  assert.equal(headers['referrer-policy'], 'no-referrer', what);
  assert.match(String(headers['content-security-policy']), /frame-ancestors 'none'/, what);
  assert.match(String(headers['content-security-policy']), /default-src 'none'/, what);
}

describe('TLS and security headers', () => {
  let plain: TestGateway;
  let secure: TestGateway;
  let ca: Buffer;
  before(async () => {
    const directory = await mkdtemp(join(tmpdir(), 'medledger-tls-'));
    const [cert, key] = [join(directory, 'cert.pem'), join(directory, 'key.pem')];
    // biome-ignore format: the openssl command line reads best as it is typed
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    ca = await readFile(cert);
    secure = await startTestGateway({ tlsCert: cert, tlsKey: key });
    plain = await startTestGateway({ rateLimits: 'challenge=1/60' });
  });
  after(async () => {
    await secure?.stop();
    await plain?.stop();
  });

  it('serves HTTPS with HSTS when given a certificate; plain HTTP gets no HSTS', async () => {
    assert.match(secure.url, /^https:/);
    const answer = await send(secure.url, 'GET', '/api/health', { ca });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assertSecurityHeaders(answer, 'HTTPS');
    await assert.rejects(send(secure.url.replace('https:', 'http:'), 'GET', '/api/health'));
    const overHttp = await send(plain.url, 'GET', '/api/health');
    assert.equal(overHttp.headers['strict-transport-security'], undefined);
  });

  it('sends the security headers on every kind of answer', async () => {
    const token = await signIn(plain.url, generateIdentity());
    const answers: [string, Answer][] = [
      ['200 JSON', await send(plain.url, 'GET', '/api/health')],
      ['200 signed-in JSON', await send(plain.url, 'GET', '/api/me', { token })],
      ['400 invalid input', await send(plain.url, 'POST', '/api/auth/session', { body: { message: 1 } })],
      ['401 no session', await send(plain.url, 'GET', '/api/me')],
      ['404 no route', await send(plain.url, 'GET', '/api/nothing-here')],
      ['404 unknown path', await send(plain.url, 'GET', '/nothing-here')],
      [
        '429 rate limited',
        (await sendMany(2, () => send(plain.url, 'POST', '/api/auth/challenge'))).at(-1) as Answer,
      ],
      [
        'JSON-RPC',
        await send(plain.url, 'POST', '/rpc', { body: { jsonrpc: '2.0', id: 1, method: 'eth_chainId' } }),
      ],
      ['OpenAPI document', await send(plain.url, 'GET', '/docs/json')],
    ];
    assert.equal(answers[6]?.[1].status, 429);
    for (const [what, answer] of answers) {
      assertSecurityHeaders(answer, what);
      // API answers are never kept by a cache on the way.
      if (!what.startsWith('404 unknown') && !what.startsWith('OpenAPI'))
        assert.equal(answer.headers['cache-control'], 'no-store', what);
    }
    // The docs page runs Swagger UI's scripts from this origin, and nothing inline or foreign.
    const docs = await send(plain.url, 'GET', '/docs/static/index.html');
    const docsPage = docs.status === 302 ? await send(plain.url, 'GET', '/docs/') : docs;
    assert.equal(docsPage.headers['x-frame-options'], 'DENY');
    assert.match(String(docsPage.headers['content-security-policy']), /script-src 'self'(;|$)/);
    assert.match(String(docsPage.headers['content-security-policy']), /frame-ancestors 'none'/);
  });

  it('renders the API docs in a browser under their policy, with no violation', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(String(error)));
      await page.goto(`${plain.url}/docs`);
      await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
      const operations = await page.locator('.opblock').count();
      assert.ok(operations > 50, `${operations} operations shown`);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });
});

function countOf(values: (number | string)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}
