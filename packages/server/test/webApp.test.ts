/** Serving the built web app: caching, the single-page-app fallback, the CSP, and what is never served. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { contentSecurityPolicy, originOf, registerWebApp } from '../src/webApp.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

describe('web app serving', () => {
  let app: FastifyInstance;
  let directory: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'medledger-web-'));
    await mkdir(join(directory, 'assets'));
    await writeFile(join(directory, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(join(directory, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(directory, 'favicon.svg'), '<svg/>');
    await writeFile(join(directory, '.source-hash'), 'secret-ish\n');
    app = Fastify();
    const fallback = await registerWebApp(app, {
      directory,
      connectOrigins: async () => ['https://ehr.hospital-a.example', 'https://ehr.hospital-b.example'],
    });
    assert.ok(fallback);
    app.get('/api/health', async () => ({ status: 'ok' }));
    app.setNotFoundHandler(async (request, reply) => {
      if (await fallback(request, reply)) return reply;
      return reply.status(404).send({ error: { code: 'not_found' } });
    });
  });

  after(async () => {
    await app.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('answers the app’s own paths with index.html, revalidated, under a strict CSP', async () => {
    for (const url of ['/', '/patients/0xabc', '/history']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.match(response.body, /id="root"/);
      assert.equal(response.headers['cache-control'], 'no-cache');
      assert.equal(response.headers['x-frame-options'], 'DENY');
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self';/);
      assert.match(
        csp,
        /connect-src 'self' https:\/\/ehr\.hospital-a\.example https:\/\/ehr\.hospital-b\.example;/,
      );
      assert.doesNotMatch(csp, /unsafe/);
    }
  });

  it('caches hashed assets for a year and other files not at all', async () => {
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(asset.headers['x-content-type-options'], 'nosniff');
    const icon = await app.inject({ url: '/favicon.svg' });
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers['cache-control'], 'no-cache');
  });

  it('leaves the API alone and never serves hidden files or a missing asset as the app', async () => {
    assert.equal((await app.inject({ url: '/api/health' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/api/unknown' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/api/unknown' })).json().error.code, 'not_found');
    assert.equal((await app.inject({ url: '/.source-hash' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/assets/missing.js' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'POST', url: '/patients' })).statusCode, 404);
  });

  it('serves nothing when no app is built', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'medledger-web-empty-'));
    const bare = Fastify();
    assert.equal(await registerWebApp(bare, { directory: empty, connectOrigins: async () => [] }), undefined);
    await bare.close();
    await rm(empty, { recursive: true, force: true });
  });

  it('builds the policy only from http(s) origins', () => {
    assert.equal(originOf('https://ehr.hospital-a.example/rpc'), 'https://ehr.hospital-a.example');
    assert.equal(originOf('javascript:alert(1)'), undefined);
    assert.equal(originOf('not a url'), undefined);
    assert.match(contentSecurityPolicy([]), /connect-src 'self';/);
  });
});

describe('a gateway serving its web app', () => {
  let gateway: TestGateway;
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'medledger-web-'));
    await writeFile(join(directory, 'index.html'), '<!doctype html><div id="root"></div>');
    gateway = await startTestGateway({ webAppDir: directory });
  });
  after(async () => {
    await gateway?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('answers FHIR paths with a FHIR OperationOutcome 404, never the app', async () => {
    for (const path of ['/fhir', '/fhir/metadata', '/fhir/Patient?name=x', '/fhir/Observation/1']) {
      const response = await fetch(`${gateway.url}${path}`, { headers: { accept: 'application/fhir+json' } });
      assert.equal(response.status, 404, path);
      assert.match(response.headers.get('content-type') ?? '', /^application\/fhir\+json/, path);
      const body = (await response.json()) as { resourceType: string; issue: { code: string }[] };
      assert.equal(body.resourceType, 'OperationOutcome', path);
      assert.equal(body.issue[0]?.code, 'not-found', path);
    }
    // A web app path that merely starts with the letters is still the app's.
    assert.equal(
      (await fetch(`${gateway.url}/fhirish`)).headers.get('content-type'),
      'text/html; charset=utf-8',
    );
  });
});
