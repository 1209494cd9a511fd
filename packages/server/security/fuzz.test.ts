/**
 * Fuzz of every route that takes a body (POST, PUT, PATCH, DELETE in the OpenAPI document), against
 * a gateway in its own process: bodies generated from the route's JSON schema, then mutated (wrong
 * types, huge, unicode and control strings, deep nesting, prototype-pollution keys, wrong content
 * types, truncated JSON, bad path parameters), with and without a session. No answer is a 5xx
 * (503, load shedding or chain unavailable, is allowed and counted), every error body has
 * `error.code` and `error.reason` and no stack trace, and the process is up at the end, under a
 * memory bound.
 *
 * MEDLEDGER_SECURITY_FUZZ: number of generated requests (default 10,000).
 * MEDLEDGER_SECURITY_SEED: fast-check seed (default: random, printed).
 * MEDLEDGER_SECURITY_MEMORY_MIB: peak resident memory bound of the gateway process.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { generateIdentity } from '@medledger/core';
import fc from 'fast-check';
import { defaultBodyLimitBytes } from '../src/app.ts';
import { maxRecordBodyBytes } from '../src/routes/recordRoutes.ts';
import { foundConsortium, signIn } from '../test/helpers/actors.ts';
import { type ApiResponse, call } from '../test/helpers/http.ts';
import { mutations, routeCases } from '../test/helpers/routeCases.ts';
import { type GatewayProcess, startGatewayProcess } from './helpers/gatewayProcess.ts';
import { type ApiRoute, openApiRoutes, pathOf } from './helpers/openApi.ts';
import {
  hostileString,
  hostileValue,
  nestedText,
  pollutionKeys,
  replaceSomewhere,
  validOf,
  withPollution,
} from './helpers/schemaArbitrary.ts';

const total = Number(process.env.MEDLEDGER_SECURITY_FUZZ ?? 10_000);
const seed = Number(process.env.MEDLEDGER_SECURITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Measured: see README.md. */
const memoryBoundMiB = Number(process.env.MEDLEDGER_SECURITY_MEMORY_MIB ?? 350);
/** Requests in flight at once. */
const concurrency = 6;
/** What the gateway must answer with a JSON error body. */
/** The body limit of the route at `path`: records and order steps carry envelopes, the rest less. */
function bodyLimitOf(path: string): number {
  return /^\/api\/(records|orders)(\/|\?|$)/.test(path) ? maxRecordBodyBytes : defaultBodyLimitBytes;
}

function bodyBytes(request: { raw?: string }): number {
  return request.raw === undefined ? 0 : Buffer.byteLength(request.raw);
}

const stackTrace = /\bat \S+ \(|node:internal|\/src\/\S+\.ts:\d+|\n\s+at /;

interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  /** The body as sent (already text), if any. */
  raw?: string;
  contentType?: string;
  token?: 'none' | 'member' | 'stranger' | 'garbage';
}

const contentTypes = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/jsonx',
  'application/octet-stream',
  '*/*',
  '',
];

/** Near-valid and invalid path parameters. */
const badParameter = fc.oneof(
  hostileString.filter((s) => s.length < 300),
  fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2F', '%ff', '-1', '1.5', '0x', ' ', '%20'),
  fc.bigInt({ min: -1n, max: 2n ** 300n }).map(String),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => `0x${Buffer.from(bytes).toString('hex')}`),
  fc.stringMatching(/^b[a-z2-7]{0,130}$/),
);

function requestsFor(route: ApiRoute): fc.Arbitrary<FuzzRequest> {
  const schema = route.body ?? { type: 'object' };
  const valid = validOf(schema);
  const goodParameters = fc.record(
    Object.fromEntries(route.pathParameters.map((p) => [p.name, validOf(p.schema).map(String)])),
  );
  const badParameters = fc.record(
    Object.fromEntries(route.pathParameters.map((p) => [p.name, badParameter])),
  );
  const goodPath = goodParameters.map((values) => pathOf(route, values));
  const badPath = fc
    .tuple(badParameters, fc.boolean())
    .map(([values, raw]) => pathOf(route, values, raw && !/[/?#\s]/.test(Object.values(values).join(''))));
  const path = route.pathParameters.length
    ? fc.oneof({ weight: 4, arbitrary: goodPath }, { weight: 1, arbitrary: badPath })
    : goodPath;
  // The validation tests' valid bodies of this route, mutated one field at a time.
  const cases = routeCases().filter((c) => templateOf(c.path) === route.path);
  const seeded = cases.flatMap((c) => [c.body, ...mutations(c.body, c.max, c.optional).map((m) => m.body)]);
  const json = (value: unknown) => ({ raw: JSON.stringify(value), contentType: 'application/json' });
  const bodies: fc.WeightedArbitrary<{ kind: string; raw?: string; contentType?: string }>[] = [
    { weight: 3, arbitrary: valid.map((v) => ({ kind: 'schema-valid', ...json(v) })) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(valid, hostileValue, fc.nat())
        .map(([v, h, choice]) => ({ kind: 'field-replaced', ...json(replaceSomewhere(v, h, choice)) })),
    },
    { weight: 2, arbitrary: hostileValue.map((h) => ({ kind: 'body-replaced', ...json(h) })) },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.constantFrom(...pollutionKeys), fc.boolean()).map(([v, key, deep]) => ({
        kind: key === 'prototype' ? 'prototype-key' : 'prototype-pollution',
        raw: withPollution(v, key, deep),
        contentType: 'application/json',
      })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 10, max: 20_000 }).map((depth) => ({
        kind: 'deep-nesting',
        raw: `${'['.repeat(depth)}${']'.repeat(depth)}`,
        contentType: 'application/json',
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.integer({ min: 1, max: 20_000 })).map(([v, depth]) => ({
        kind: 'deep-nesting',
        raw: JSON.stringify(replaceSomewhere(v, '__NESTED__', depth)).replace(
          '"__NESTED__"',
          nestedText(depth),
        ),
        contentType: 'application/json',
      })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.constantFrom(...contentTypes)).map(([v, contentType]) => ({
        kind: 'content-type',
        raw: JSON.stringify(v),
        ...(contentType ? { contentType } : {}),
      })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.nat()).map(([v, cut]) => {
        const text = JSON.stringify(v) ?? '{}';
        return {
          kind: 'truncated-json',
          raw: text.slice(0, cut % Math.max(text.length, 1)),
          contentType: 'application/json',
        };
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'no-body' }) },
  ];
  if (seeded.length) {
    bodies.push({
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...seeded), fc.option(hostileValue), fc.nat())
        .map(([b, h, choice]) => ({
          kind: 'validation-case',
          ...json(h === null ? b : replaceSomewhere(b, h, choice)),
        })),
    });
  }
  const body = fc.oneof(...bodies);
  return fc
    .record({
      path,
      body,
      token: fc.constantFrom('none', 'member', 'stranger', 'garbage') as fc.Arbitrary<FuzzRequest['token']>,
    })
    .map(({ path: p, body: b, token }) => ({ method: route.method, path: p, token, ...b }));
}

/** `/api/records/0x12…/access` → `/api/records/{id}/access`. */
function templateOf(path: string): string {
  return path
    .replace(/^\/api\/members\/0x[0-9a-fA-F]{40}\//, '/api/members/{address}/')
    .replace(/\/(0x[0-9a-fA-F]{64}|\d+)(\/|$)/, '/{id}$2');
}

/** What is wrong with the answer, or undefined. */
function problemOf(response: ApiResponse): string | undefined {
  if (response.status >= 500 && response.status !== 503) return `status ${response.status}`;
  if (stackTrace.test(response.text)) return 'stack trace in the body';
  if (response.status < 400) return undefined;
  if (!/^application\/json/.test(response.headers.get('content-type') ?? '')) return 'error body is not JSON';
  const error = (response.body as { error?: { code?: unknown; reason?: unknown } } | undefined)?.error;
  if (typeof error?.code !== 'string') return 'no error.code';
  if (typeof error.reason !== 'string') return 'no error.reason';
  return undefined;
}

/**
 * A POST of a body over the gateway's 32 MiB limit: its status and body, or `closed` when the gateway
 * ended the connection before answering. `declared`: the Content-Length says 33 MiB and the body
 * waits for the answer (a gateway refuses it from the header alone); otherwise the body is sent
 * chunked, a MiB at a time, until the gateway answers or closes.
 */
function oversizedPost(url: string, path: string, token: string | undefined, declared: boolean) {
  const size = 33 * 1024 * 1024;
  const chunk = Buffer.alloc(1024 * 1024, 'A');
  return new Promise<{ status: number | 'closed'; text: string }>((resolve) => {
    const outgoing = request(new URL(path, url), {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        ...(declared ? { 'content-length': size } : { 'transfer-encoding': 'chunked' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    let answered = false;
    outgoing.on('response', (incoming) => {
      answered = true;
      let text = '';
      incoming.on('data', (data) => (text += String(data)));
      incoming.on('end', () => {
        resolve({ status: incoming.statusCode ?? 0, text });
        outgoing.destroy();
      });
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (!answered) resolve({ status: 'closed', text: error.code ?? String(error) });
    });
    outgoing.flushHeaders();
    if (declared) return;
    outgoing.write('{"envelope":"');
    const writeMore = (sent: number) => {
      while (!answered && sent < size) {
        sent += chunk.length;
        if (!outgoing.write(chunk)) {
          outgoing.once('drain', () => writeMore(sent));
          return;
        }
      }
      if (!answered) outgoing.end('"}');
    };
    writeMore(0);
  });
}

describe('fuzz of every route that takes a body, against a gateway process', () => {
  let gateway: GatewayProcess;
  let routes: ApiRoute[];
  let tokens: Record<'member' | 'stranger' | 'garbage', string>;
  before(async () => {
    gateway = await startGatewayProcess({ logLevel: 'warn' });
    const { admin } = await foundConsortium(gateway.url);
    tokens = {
      member: await signIn(gateway.url, admin.identity),
      stranger: await signIn(gateway.url, generateIdentity()),
      garbage: `${'A'.repeat(43)}.${'x'.repeat(20)}`,
    };
    routes = (await openApiRoutes(gateway.url)).filter((route) =>
      ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method),
    );
  });
  after(() => gateway?.stopAndRemove());

  it(`answers ${total} generated requests with no 5xx, and errors as { code, reason } without stack traces`, async () => {
    assert.ok(routes.length >= 30, `only ${routes.length} routes with a body`);
    const requests = fc.sample(fc.oneof(...routes.map(requestsFor)), { numRuns: total, seed });
    const statuses = new Map<number, number>();
    const byKind = new Map<string, Record<number, number>>();
    const problems: string[] = [];
    const transportRetries: string[] = [];
    let next = 0;
    const send = async (request: FuzzRequest) => {
      let token = request.token === 'none' || request.token === undefined ? undefined : tokens[request.token];
      // Signing out (here or everywhere) ends sessions: give it an account of its own, so that the
      // others' stay valid.
      if (
        request.method === 'DELETE' &&
        (request.path === '/api/auth/session' || request.path === '/api/auth/sessions') &&
        request.token !== 'garbage'
      ) {
        token = request.token === 'none' ? undefined : await signIn(gateway.url, generateIdentity());
      }
      const attempt = () =>
        call(gateway.url, request.method, request.path, {
          ...(request.raw === undefined ? {} : { raw: request.raw }),
          ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
          ...(token ? { token } : {}),
        }).catch((error: unknown) => ({ error }));
      let response = await attempt();
      // A body over the route's limit may be refused by closing the connection while it is still
      // being sent (the gateway answers 413 and stops reading): the client then sees the write fail
      // (EPIPE, a reset) instead of the answer. That is the refusal, counted as status 0, not a problem.
      if ('error' in response && bodyBytes(request) > bodyLimitOf(request.path)) {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
        return;
      }
      // A connection that fails before any answer (a kept-alive socket closed by the gateway as the
      // client reused it, a race HTTP allows) is tried once more on a new one, and counted; failing
      // again, or often, is a problem.
      if ('error' in response) {
        transportRetries.push(
          `${request.method} ${request.path.slice(0, 120)}: ${describeFailure(response.error)}`,
        );
        response = await attempt();
      }
      if ('error' in response) {
        problems.push(
          `${request.method} ${request.path.slice(0, 120)} (${request.kind}): ${describeFailure(response.error)}`,
        );
        return;
      }
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const ofKind = byKind.get(request.kind) ?? {};
      ofKind[response.status] = (ofKind[response.status] ?? 0) + 1;
      byKind.set(request.kind, ofKind);
      // Fastify refuses `__proto__` and `constructor.prototype` in JSON before any handler sees them.
      const problem =
        request.kind === 'prototype-pollution' && response.status < 400
          ? `prototype pollution accepted (${response.status})`
          : problemOf(response);
      if (problem) {
        problems.push(
          `${request.method} ${request.path.slice(0, 120)} (${request.kind}, token ${request.token}, ` +
            `body ${(request.raw ?? '').slice(0, 200)}) → ${problem}: ${response.text.slice(0, 300)}`,
        );
      }
    };
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests.length) {
          const request = requests[next++] as FuzzRequest;
          await send(request);
        }
      }),
    );
    // Bodies over the gateway's limit, on the route with the largest body (a record's envelope). The
    // gateway may answer 413 and close the connection before the upload ends: read the answer with
    // node:http, which keeps it even when the rest of the upload then fails.
    for (const token of [undefined, tokens.member]) {
      for (const declared of [true, false]) {
        const answer = await oversizedPost(gateway.url, '/api/records', token, declared);
        const status = answer.status === 'closed' ? 0 : answer.status;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const ofKind = byKind.get('oversized') ?? {};
        ofKind[status] = (ofKind[status] ?? 0) + 1;
        byKind.set('oversized', ofKind);
        // 413, or 401 when the session is checked before the body; or, sent chunked, the connection
        // closed by the gateway before it answered (counted as status 0).
        const refused = answer.status === 413 || (answer.status === 401 && !token);
        if (answer.status === 'closed' ? declared : !refused || !/"reason"/.test(answer.text)) {
          problems.push(`oversized body (declared ${declared}) → ${answer.status} ${answer.text}`);
        }
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(
      `fuzz: ${sent} requests over ${routes.length} routes in ${seconds.toFixed(0)} s (seed ${seed}); ` +
        `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; ` +
        `kinds ${JSON.stringify(Object.fromEntries(byKind))}`,
    );
    if (statuses.get(503))
      console.log(`fuzz: ${statuses.get(503)} answers were 503 (load shedding or chain unavailable)`);
    if (transportRetries.length)
      console.log(`fuzz: tried again on a new connection: ${transportRetries.join('; ')}`);
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems (seed ${seed})`);
    assert.ok(
      transportRetries.length <= total / 1000,
      `${transportRetries.length} connections failed before an answer (seed ${seed})`,
    );
    assert.ok(sent >= total, `${sent} of ${total} requests answered`);
    // The sessions the fuzz used are still valid: its requests reached past authentication.
    for (const token of [tokens.member, tokens.stranger]) {
      assert.equal((await call(gateway.url, 'GET', '/api/me', { token })).status, 200);
    }
  });

  it('is still up and answering /api/health, under its memory bound', async () => {
    assert.ok(gateway.alive(), 'the gateway process ended');
    const health = await call(gateway.url, 'GET', '/api/health');
    assert.equal(health.status, 200, health.text);
    const peak = await gateway.peakMemoryKiB();
    console.log(
      `fuzz: peak resident memory (VmHWM) of the gateway process ${(peak / 1024).toFixed(0)} MiB (bound ${memoryBoundMiB} MiB)`,
    );
    assert.ok(
      peak / 1024 < memoryBoundMiB,
      `peak memory ${(peak / 1024).toFixed(0)} MiB ≥ ${memoryBoundMiB} MiB`,
    );
    assert.doesNotMatch(gateway.logs(), /request failed/, 'the gateway logged a failed request');
  });
});

/** A failed fetch with its cause (undici hides the socket error there), for the report. */
function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  return cause ? `${String(error)} (${cause.code ?? ''} ${cause.message ?? ''})` : String(error);
}
