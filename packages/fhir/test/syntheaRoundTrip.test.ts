/**
 * Every Synthea R4 bundle of ../shared/data/synthea-r4 (beside the repository) posted as a FHIR
 * transaction to the FHIR server of its own patient, then read back through
 * `Patient/<address>/$everything`, page by page: no resource lost, the same count per resource type, and each
 * resource deep-equal to the one sent, apart from its id and meta and with its references to other
 * entries rewritten to their new ids. Read back by a second server of the same patient, so that
 * every record is fetched, verified and decrypted. Prints the import rate and the time of
 * `$everything`.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type Consortium,
  fhirCall,
  foundConsortium,
  type Json,
  linkOf,
  newPatient,
  resourcesOf,
  startFhirServer,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

/** Page size of `$everything`, so that reading back also follows paging links. */
const pageSize = 150;

const syntheaDirectory = new URL('../../../../shared/data/synthea-r4/', import.meta.url).pathname;

/** Each way a Bundle's references may name an entry, mapped to the entry's new reference. */
function referenceMap(bundle: Json, newReferences: string[]): Map<string, string> {
  const map = new Map<string, string>();
  bundle.entry.forEach((entry: Json, index: number) => {
    const target = newReferences[index] as string;
    const { resourceType, id, identifier } = entry.resource;
    if (entry.fullUrl) map.set(entry.fullUrl, target);
    if (id) map.set(`${resourceType}/${id}`, target);
    for (const { system, value } of identifier ?? [])
      map.set(`${resourceType}?identifier=${system}|${value}`, target);
  });
  return map;
}

/** `value` with every `reference` the map knows rewritten. */
function rewritten(value: Json, map: Map<string, string>): Json {
  if (Array.isArray(value)) return value.map((item) => rewritten(item, map));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === 'reference' && typeof item === 'string' && map.has(item) ? map.get(item) : rewritten(item, map),
    ]),
  );
}

function withoutIdAndMeta(resource: Json): Json {
  const { id: _id, meta: _meta, ...rest } = resource;
  return rest;
}

function countByType(resources: Json[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of resources) counts[resource.resourceType] = (counts[resource.resourceType] ?? 0) + 1;
  return counts;
}

describe('Synthea bundles round trip through the FHIR server', () => {
  let gateway: TestGateway;
  let consortium: Consortium;
  let files: string[];

  before(async () => {
    files = (await readdir(syntheaDirectory)).filter((file) => file.endsWith('.json')).sort();
    gateway = await startTestGateway();
    consortium = await foundConsortium(gateway.url);
  });
  after(() => gateway?.stop());

  test('all 30 bundles: posted as transactions, read back by $everything, 0 resources lost', async (t) => {
    assert.equal(files.length, 30);
    let resourcesSent = 0;
    let importSeconds = 0;
    let everythingSeconds = 0;
    for (const file of files) {
      const bundle: Json = JSON.parse(await readFile(join(syntheaDirectory, file), 'utf8'));
      assert.equal(bundle.type, 'transaction');
      const patient = await newPatient(gateway.url, consortium);
      const server = await startFhirServer(patient, { listingTtlMs: 0 });
      try {
        let started = performance.now();
        const answer = await fhirCall(server.base, 'POST', '', { body: bundle });
        importSeconds += (performance.now() - started) / 1000;
        assert.equal(answer.status, 200, `${file}: ${JSON.stringify(answer.body).slice(0, 2000)}`);
        assert.equal(answer.body.entry.length, bundle.entry.length);
        for (const entry of answer.body.entry) assert.equal(entry.response.status, '201 Created', file);
        const newReferences = answer.body.entry.map(
          (entry: Json) => `${entry.resource.resourceType}/${entry.resource.id}`,
        );
        resourcesSent += bundle.entry.length;

        // Read back by another server: nothing in memory, every record fetched, verified and
        // decrypted; page by page, following the server's next links.
        const reader = await startFhirServer(patient);
        started = performance.now();
        const readBack: Json[] = [];
        try {
          let url: string | undefined = `Patient/${patient.address}/$everything?_count=${pageSize}`;
          while (url) {
            const page = await fhirCall(reader.base, 'GET', url);
            assert.equal(page.status, 200, file);
            assert.equal(page.body.total, bundle.entry.length, `${file}: total`);
            readBack.push(...resourcesOf(page.body));
            url = linkOf(page.body, 'next');
          }
        } finally {
          await reader.stop();
        }
        everythingSeconds += (performance.now() - started) / 1000;
        assert.equal(readBack.length, bundle.entry.length, `${file}: every page read`);

        const sent = bundle.entry.map((entry: Json) => entry.resource);
        assert.deepEqual(countByType(readBack), countByType(sent), `${file}: resources per type`);
        const map = referenceMap(bundle, newReferences);
        const byReference = new Map(
          readBack.map((resource) => [`${resource.resourceType}/${resource.id}`, resource]),
        );
        sent.forEach((resource: Json, index: number) => {
          const back = byReference.get(newReferences[index]);
          assert.ok(back, `${file}: entry ${index} (${resource.resourceType}) is read back`);
          assert.equal(back.meta?.versionId, '1', `${file}: entry ${index} is a first version`);
          assert.deepEqual(
            withoutIdAndMeta(back),
            withoutIdAndMeta(rewritten(resource, map)),
            `${file}: entry ${index} (${resource.resourceType}) is what was sent`,
          );
        });
      } finally {
        await server.stop();
      }
    }
    t.diagnostic(
      `${resourcesSent} resources in ${files.length} transactions: imported in ${importSeconds.toFixed(1)} s ` +
        `(${(resourcesSent / importSeconds).toFixed(0)} resources/s), read back by $everything in ` +
        `${everythingSeconds.toFixed(1)} s (${(resourcesSent / everythingSeconds).toFixed(0)} resources/s)`,
    );
  });
});
