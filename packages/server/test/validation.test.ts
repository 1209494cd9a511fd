/**
 * Input validation of every route: malformed bodies, parameters and content types are refused
 * with a 4xx and a JSON error body, never a 5xx and never a stack trace.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateIdentity } from '@medledger/core';
import fc from 'fast-check';
import { foundConsortium, signIn, siweMessage } from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, assertErrorShape, call } from './helpers/http.ts';
import { mutations, routeCases, signature, someone } from './helpers/routeCases.ts';

describe('input validation', () => {
  let gateway: TestGateway;
  let token: string;
  before(async () => {
    gateway = await startTestGateway();
    await foundConsortium(gateway.url);
    token = await signIn(gateway.url, generateIdentity());
  });
  after(() => gateway.stop());

  for (const route of routeCases()) {
    describe(`${route.method} ${route.path.replace(/0x[0-9a-fA-F]+/, ':hex')}`, () => {
      it(`accepts the shape of a valid body (${route.expect.status} ${route.expect.code} for a stranger)`, async () => {
        const response = await call(gateway.url, route.method, route.path, { token, body: route.body });
        assertError(response, route.expect.status, route.expect.code);
      });

      it('refuses missing, wrongly typed, malformed, oversized and extra fields with 400', async () => {
        const cases = mutations(route.body, route.max, route.optional);
        assert.ok(cases.length > 5);
        for (const { what, body } of cases) {
          const response = await call(gateway.url, route.method, route.path, { token, body });
          assert.match(assertError(response, 400, 'invalid_input'), /^Invalid request: /, what);
        }
      });

      it('refuses a body that is not a JSON object', async () => {
        const bodies: unknown[] = ['text', 42, [route.body], true];
        if (!route.path.endsWith('/access')) bodies.push(null);
        for (const body of bodies) {
          const response = await call(gateway.url, route.method, route.path, { token, body });
          assertError(response, 400, 'invalid_input');
        }
      });

      it('refuses invalid JSON with 400 and another content type with 415', async () => {
        for (const raw of ['{"name":', '{name: 1}', "{'a': 1}", '\u0000']) {
          const response = await call(gateway.url, route.method, route.path, {
            token,
            raw,
            contentType: 'application/json',
          });
          assertError(response, 400, 'invalid_input');
        }
        for (const contentType of ['application/x-www-form-urlencoded', 'application/xml', 'image/png']) {
          const response = await call(gateway.url, route.method, route.path, {
            token,
            raw: JSON.stringify(route.body),
            contentType,
          });
          assertError(response, 415, 'invalid_input');
        }
        // Fastify reads text/plain as a string, which is not the object the schema asks for.
        const text = await call(gateway.url, route.method, route.path, {
          token,
          raw: JSON.stringify(route.body),
          contentType: 'text/plain',
        });
        assert.match(assertError(text, 400, 'invalid_input'), /^Invalid request: body must be object/);
      });

      if (route.badPaths) {
        it('refuses invalid path parameters with 400', async () => {
          for (const path of route.badPaths ?? []) {
            const response = await call(gateway.url, route.method, path, { token, body: route.body });
            assert.match(assertError(response, 400, 'invalid_input'), /^Invalid request: /, path);
          }
        });
      }
    });
  }

  it('refuses a sign-in body that is malformed, before anything else', async () => {
    const message = await siweMessage(gateway.url, generateIdentity(), { domain: 'evil.example' });
    const valid = { message, signature };
    assertError(
      await call(gateway.url, 'POST', '/api/auth/session', { body: valid }),
      401,
      'unauthenticated',
    );
    for (const { what, body } of mutations(valid, { message: 4096 })) {
      const response = await call(gateway.url, 'POST', '/api/auth/session', { body });
      assert.match(assertError(response, 400, 'invalid_input'), /^Invalid request: /, what);
    }
  });

  it('refuses malformed query strings with 400', async () => {
    for (const path of [
      '/api/records',
      '/api/records?patient=nobody',
      `/api/records?patient=${someone}&extra=1`,
      '/api/audit?patient=0x12',
      '/api/audit?organisation=first',
      '/api/audit?format=xml',
    ]) {
      const response = await call(gateway.url, 'GET', path, { token });
      assert.match(assertError(response, 400, 'invalid_input'), /^Invalid request: /, path);
    }
  });

  it('refuses invalid or unknown blob CIDs with 400 or 404', async () => {
    assertError(await call(gateway.url, 'GET', '/api/blobs/not-a-cid'), 400, 'invalid_input');
    assertError(await call(gateway.url, 'GET', `/api/blobs/b${'1'.repeat(40)}`), 400, 'invalid_input');
    assertError(await call(gateway.url, 'GET', `/api/blobs/b${'a'.repeat(10)}`), 400, 'invalid_input');
    assertError(await call(gateway.url, 'GET', `/api/blobs/b${'a'.repeat(58)}`), 404, 'not_found');
  });

  it('answers errors the router raises before any route in the same JSON shape', async () => {
    // Fastify refuses path parameters over 100 characters, and URLs that do not decode.
    assertError(await call(gateway.url, 'GET', `/api/blobs/b${'a'.repeat(120)}`), 414, 'invalid_input');
    assertError(await call(gateway.url, 'GET', `/api/patients/${'x'.repeat(200)}`), 414, 'invalid_input');
    assertError(await call(gateway.url, 'GET', '/api/organisations/%E0%A4%A'), 400, 'invalid_input');
    assertError(await call(gateway.url, 'GET', '/api/blobs/%ff'), 400, 'invalid_input');
  });

  it('refuses a body over the 32 MiB limit with 413', async () => {
    const raw = JSON.stringify({ leaf: {}, signature, envelope: 'A'.repeat(33 * 1024 * 1024) });
    const response = await call(gateway.url, 'POST', '/api/records', {
      token,
      raw,
      contentType: 'application/json',
    });
    assertError(response, 413, 'invalid_input');
    assert.equal((response.body as { error: { reason: string } }).error.reason, 'body_too_large');
  });

  it('takes a large body only where a record is uploaded: 413 body_too_large for 300 kB elsewhere', async () => {
    const raw = JSON.stringify({ patient: someone, categories: ['x'.repeat(300 * 1024)] });
    const response = await call(gateway.url, 'POST', '/api/access-requests', {
      token,
      raw,
      contentType: 'application/json',
    });
    assertError(response, 413, 'invalid_input');
    assert.equal((response.body as { error: { reason: string } }).error.reason, 'body_too_large');
  });

  it('reads no body of a caller who is not signed in: 401 session_missing', async () => {
    const raw = JSON.stringify({ leaf: {}, signature, envelope: 'A'.repeat(20 * 1024 * 1024) });
    const response = await call(gateway.url, 'POST', '/api/records', {
      raw,
      contentType: 'application/json',
    });
    assertError(response, 401, 'unauthenticated');
    assert.equal((response.body as { error: { reason: string } }).error.reason, 'session_missing');
  });

  describe('fuzz: no input makes the gateway fail', () => {
    const paths = [
      ['GET', '/api/health'],
      ['GET', '/api/ledger'],
      ['POST', '/api/auth/challenge'],
      ['POST', '/api/auth/session'],
      ['DELETE', '/api/auth/session'],
      ['GET', '/api/me'],
      ['GET', '/api/organisations'],
      ['POST', '/api/organisations'],
      ['GET', '/api/organisations/:id'],
      ['POST', '/api/organisations/:id/approvals'],
      ['GET', '/api/organisations/:id/members'],
      ['POST', '/api/members'],
      ['POST', '/api/members/:address/suspension'],
      ['POST', '/api/patients'],
      ['GET', '/api/patients/:address'],
      ['POST', '/api/records'],
      ['GET', '/api/records'],
      ['POST', '/api/records/:id/access'],
      ['GET', '/api/blobs/:cid'],
      ['POST', '/api/consents'],
      ['GET', '/api/consents'],
      ['POST', '/api/consents/:id/revocation'],
      ['POST', '/api/access-requests'],
      ['GET', '/api/access-requests'],
      ['GET', '/api/access-requests/:id'],
      ['POST', '/api/access-requests/:id/denial'],
      ['GET', '/api/audit'],
      ['POST', '/api/members/:address/emergency-privilege'],
      ['POST', '/api/emergencies'],
      ['GET', '/api/emergencies'],
      ['GET', '/api/emergencies/:id'],
      ['POST', '/api/emergencies/:id/review'],
      ['GET', '/api/emergency-window'],
      ['POST', '/api/emergency-window/proposals'],
      ['POST', '/api/emergency-window/proposals/:id/approvals'],
      ['GET', '/api/notifications'],
    ] as const;

    /** Path parameters: mostly near-valid ones (digits, hex, CIDs), some anything at all. */
    const parameter = fc.oneof(
      fc.string(),
      fc.string({ minLength: 90, maxLength: 130 }),
      fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2F', '%ff'),
      fc.bigInt({ min: -1n, max: 2n ** 80n }).map(String),
      fc
        .uint8Array({ minLength: 0, maxLength: 40 })
        .map((bytes) => `0x${Buffer.from(bytes).toString('hex')}`),
      fc.stringMatching(/^b[a-z2-7]{20,70}$/),
    );
    const query = fc.dictionary(
      fc.constantFrom('patient', 'organisation', 'format', 'status', 'after', 'limit', 'x'),
      fc.oneof(fc.string(), fc.constant(someone), fc.nat().map(String)),
    );

    async function assertHandled(method: string, path: string, body: unknown, withToken: boolean) {
      const response = await call(gateway.url, method, path, {
        ...(withToken ? { token } : {}),
        ...(body === undefined || method !== 'POST' ? {} : { body }),
      });
      assert.ok(
        response.status < 500,
        `${method} ${path} ${JSON.stringify(body)} → ${response.status} ${response.text}`,
      );
      if (response.status >= 400) assertErrorShape(response);
    }

    it('random JSON bodies and path parameters on every route', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...paths),
          parameter,
          query,
          fc.oneof(fc.jsonValue(), fc.object()),
          fc.boolean(),
          async ([method, template], param, search, body, withToken) => {
            const path = template.replace(
              /:(id|address|cid)/,
              /%/.test(param) ? param : encodeURIComponent(param),
            );
            const queryString = new URLSearchParams(search as Record<string, string>).toString();
            await assertHandled(method, queryString ? `${path}?${queryString}` : path, body, withToken);
          },
        ),
        { numRuns: 250 },
      );
    });

    it('valid bodies with one field replaced by a random value', async () => {
      const routes = routeCases();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...routes),
          fc.nat(),
          fc.oneof(fc.jsonValue(), fc.bigInt({ min: 0n, max: 2n ** 300n }).map(String)),
          async (route, index, value) => {
            const keys = Object.keys(route.body);
            const key = keys[index % keys.length] as string;
            await assertHandled(route.method, route.path, { ...route.body, [key]: value }, true);
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});
