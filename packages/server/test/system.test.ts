import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { assertError, call } from './helpers/http.ts';

describe('system routes', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway();
  });
  after(() => gateway.stop());

  it('GET /api/health answers ok with the chain id and the current block number', async () => {
    const response = await call(gateway.url, 'GET', '/api/health');
    assert.equal(response.status, 200);
    const body = response.body as { status: string; chainId: number; blockNumber: number };
    assert.equal(body.status, 'ok');
    assert.equal(body.chainId, gateway.chainId);
    assert.equal(body.chainId, 31337);
    assert.ok(Number.isInteger(body.blockNumber) && body.blockNumber > 0, `block ${body.blockNumber}`);
  });

  it('GET /api/ledger names the chain, the deployed contracts and the custodian key', async () => {
    const response = await call(gateway.url, 'GET', '/api/ledger');
    assert.equal(response.status, 200);
    const body = response.body as {
      chainId: number;
      rpcUrl: string;
      contracts: { consortium: string; consents: string; records: string };
      custodian: { encryptionKey: string; organisationIds: number[] };
    };
    assert.equal(body.chainId, gateway.chainId);
    // Clients read the chain through this gateway's read-only endpoint, never at the chain itself.
    assert.equal(body.rpcUrl, `${gateway.url}/rpc`);
    assert.equal(body.rpcUrl, gateway.readOnlyRpcUrl);
    assert.equal(body.contracts.consortium.toLowerCase(), gateway.deployment.consortium.toLowerCase());
    assert.equal(body.contracts.consents.toLowerCase(), gateway.deployment.consents.toLowerCase());
    assert.equal(body.contracts.records.toLowerCase(), gateway.deployment.records.toLowerCase());
    assert.match(body.custodian.encryptionKey, /^0x[0-9a-f]{64}$/);
    assert.deepEqual(body.custodian.organisationIds, []);
  });

  it('GET /docs serves the Swagger UI', async () => {
    const response = await call(gateway.url, 'GET', '/docs');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(response.text, /swagger-ui/i);
  });

  it('GET /docs/json is an OpenAPI 3 document listing every /api route with its methods', async () => {
    const response = await call(gateway.url, 'GET', '/docs/json');
    assert.equal(response.status, 200);
    const document = response.body as {
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    assert.match(document.openapi, /^3\./);
    assert.equal(document.info.title, 'medledger gateway API');
    assert.ok(document.components.securitySchemes.session);

    const registered = new Map<string, Set<string>>();
    for (const route of apiRoutesOf(gateway)) {
      const methods = registered.get(route.path) ?? new Set<string>();
      methods.add(route.method);
      registered.set(route.path, methods);
    }
    assert.ok(registered.size >= 20, `only ${registered.size} routes registered`);
    for (const [path, methods] of registered) {
      const openApiPath = path.replace(/:(\w+)/g, '{$1}');
      const documented = document.paths[openApiPath];
      assert.ok(documented, `${openApiPath} is missing from the OpenAPI document`);
      for (const method of methods) {
        assert.ok(documented[method.toLowerCase()], `${method} ${openApiPath} is not documented`);
      }
    }
    const documentedApiPaths = Object.keys(document.paths).filter((path) => path.startsWith('/api/'));
    assert.equal(documentedApiPaths.length, registered.size);
    assert.ok(document.paths['/rpc']?.post, 'the read-only JSON-RPC endpoint is documented');
  });

  it('documents the answers of the consents, consortium, keys and system routes: every field, required', async () => {
    const document = (await call(gateway.url, 'GET', '/docs/json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, OpenApiResponse> }>>;
    };
    const routes = [
      ['post', '/api/consents', '201'],
      ['get', '/api/consents', '200'],
      ['post', '/api/consents/{id}/revocation', '200'],
      ['post', '/api/access-requests', '201'],
      ['get', '/api/access-requests', '200'],
      ['get', '/api/access-requests/{id}', '200'],
      ['post', '/api/access-requests/{id}/denial', '200'],
      ['post', '/api/organisations', '201'],
      ['get', '/api/organisations', '200'],
      ['get', '/api/organisations/{id}', '200'],
      ['post', '/api/organisations/{id}/approvals', '200'],
      ['post', '/api/organisations/{id}/gateway', '200'],
      ['post', '/api/custody/proposals', '201'],
      ['post', '/api/custody/proposals/{id}/approvals', '200'],
      ['get', '/api/organisations/{id}/members', '200'],
      ['post', '/api/members', '201'],
      ['post', '/api/members/{address}/suspension', '200'],
      ['post', '/api/patients', '201'],
      ['get', '/api/patients/{address}', '200'],
      ['post', '/api/patients/{address}/key-rotation', '200'],
      ['get', '/api/accounts/{address}/encryption-key', '200'],
      ['get', '/api/health', '200'],
      ['get', '/api/ledger', '200'],
      ['post', '/api/auth/challenge', '200'],
      ['post', '/api/auth/session', '200'],
      ['get', '/api/me', '200'],
    ] as const;
    for (const [method, path, status] of routes) {
      const responses = document.paths[path]?.[method]?.responses ?? {};
      const schema = responses[status]?.content?.['application/json']?.schema;
      assert.ok(schema?.properties, `${method} ${path} documents no ${status} answer`);
      assert.deepEqual(
        [...(schema.required ?? [])].sort(),
        Object.keys(schema.properties).sort(),
        `${method} ${path}: every field of its answer is required`,
      );
      for (const errors of ['4XX', '5XX']) {
        const errorSchema = responses[errors]?.content?.['application/json']?.schema;
        assert.deepEqual(
          errorSchema?.required,
          ['error'],
          `${method} ${path} documents its ${errors} answers`,
        );
      }
    }
  });

  it('documents, for every route, its success answer and its error body with a reason', async () => {
    const document = (await call(gateway.url, 'GET', '/docs/json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, OpenApiResponse> }>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    assert.ok(operations.length >= 60, `only ${operations.length} operations documented`);
    for (const { path, method, operation } of operations) {
      const what = `${method.toUpperCase()} ${path}`;
      const success = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
      assert.ok(success.length > 0, `${what} documents no success answer`);
      for (const [status, response] of success) {
        if (status === '204') continue; // no content, by definition
        const contents = Object.values(response.content ?? {});
        assert.ok(
          contents.length > 0 && contents.every((content) => content.schema !== undefined),
          `${what} documents no body for ${status}`,
        );
      }
      if (path === '/rpc') continue; // JSON-RPC: errors are JSON-RPC error objects, documented there
      for (const errors of ['4XX', '5XX']) {
        const body = operation.responses[errors]?.content?.['application/json']?.schema as
          | { properties?: { error?: { required?: string[] } } }
          | undefined;
        assert.deepEqual(
          body?.properties?.error?.required,
          ['code', 'reason', 'message'],
          `${what} documents its ${errors} error body with code, reason and message`,
        );
      }
    }
  });

  it('answers an unknown route with a JSON 404', async () => {
    for (const [method, path] of [
      ['GET', '/api/nothing-here'],
      ['POST', '/api/health'],
      ['DELETE', '/api/records'],
      ['GET', '/'],
    ] as const) {
      const message = assertError(await call(gateway.url, method, path), 404, 'not_found');
      assert.match(message, new RegExp(`${method} ${path.replace(/[/-]/g, '\\$&')}`));
    }
  });
});

interface OpenApiResponse {
  content?: Record<string, { schema?: { properties?: Record<string, unknown>; required?: string[] } }>;
}

/**
 * The /api routes the app registered, read from Fastify's route tree (so a route added later is
 * checked too). HEAD routes, which Fastify adds for every GET, are left out.
 */
function apiRoutesOf(gateway: TestGateway): { method: string; path: string }[] {
  const tree = gateway.app.printRoutes({ commonPrefix: false });
  const prefixes: string[] = [];
  const routes: { method: string; path: string }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?) \(([^)]+)\)$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const path = (depth ? (prefixes[depth - 1] ?? '') : '') + match[2];
    prefixes[depth] = path;
    if (!path.startsWith('/api/')) continue;
    for (const method of (match[3] ?? '').split(', ')) {
      if (method !== 'HEAD') routes.push({ method, path });
    }
  }
  return routes;
}
