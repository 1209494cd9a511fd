/**
 * `GET /api/audit` a page at a time, with filters, on a real gateway (anvil + SQLite): 50 events a
 * page by default, at most 200, newest first, no event lost or repeated across page boundaries;
 * filters by outcome, actor, category and time range, alone and combined; the old query
 * (`outcome=denied`, `format=fhir`) still answers; bad input is refused with 400 and a reason.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent, AuditEventList, FhirAuditBundle } from '@medledger/api';
import type { GatewayClient } from '@medledger/client';
import { categoryIndex, generateIdentity } from '@medledger/core';
import type { Address } from 'viem';
import type { AuditEventRow } from '../src/store/auditStore.ts';
import { type Consortium, foundConsortium, newPatient, signIn } from './helpers/actors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { type ApiResponse, assertError, call } from './helpers/http.ts';

describe('access history paging and filters', () => {
  let gateway: TestGateway;
  let hospital: Consortium;
  let patient: GatewayClient;
  let token: string;
  const alice = generateIdentity().address.toLowerCase() as Address;
  const bob = generateIdentity().address.toLowerCase() as Address;
  /** Unix ms of the first synthetic event; event i is recorded one minute after event i - 1. */
  const start = Date.UTC(2026, 0, 1);
  const minute = 60_000;

  before(async () => {
    gateway = await startTestGateway();
    hospital = await foundConsortium(gateway.url);
    patient = await newPatient(gateway.url, hospital);
    token = await signIn(gateway.url, patient.identity);
    // 130 decisions on the patient's records: alice reads lab results (every third refused), bob
    // reads medications; then one that is someone else's.
    const events: AuditEventRow[] = [];
    for (let i = 0; i < 130; i += 1) {
      const byAlice = i % 2 === 0;
      events.push({
        eventId: randomUUID(),
        recordedAt: start + i * minute,
        actor: byAlice ? alice : bob,
        patient: patient.address.toLowerCase() as Address,
        action: 'read',
        recordId: null,
        category: categoryIndex(byAlice ? 'lab' : 'medication'),
        sensitivity: 0,
        purpose: null,
        outcome: i % 3 === 0 ? 'denied' : 'allowed',
        reason: i % 3 === 0 ? 'no_consent' : 'grant 1',
      });
    }
    events.push({
      ...events[0],
      eventId: randomUUID(),
      patient: generateIdentity().address,
    } as AuditEventRow);
    await gateway.services.store.appendAuditEvents(events);
  });
  after(() => gateway.stop());

  async function get(query: string): Promise<ApiResponse> {
    return call(gateway.url, 'GET', `/api/audit${query}`, { token });
  }
  async function page(query: string): Promise<AuditEventList> {
    const response = await get(query);
    assert.equal(response.status, 200, response.text);
    return response.body as AuditEventList;
  }
  /** Every event of `query`, following `nextCursor`; and the size of each page. */
  async function allPages(query: string): Promise<{ events: AuditEvent[]; sizes: number[] }> {
    const events: AuditEvent[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const separator = query ? '&' : '?';
      const answer: AuditEventList = await page(`${query}${cursor ? `${separator}before=${cursor}` : ''}`);
      events.push(...answer.events);
      sizes.push(answer.events.length);
      cursor = answer.nextCursor;
    } while (cursor);
    return { events, sizes };
  }
  const times = (events: AuditEvent[]) => events.map((event) => Date.parse(event.recordedAt));

  it('pages 50 events by default, newest first, without losing or repeating one at the boundaries', async () => {
    const first = await page('');
    assert.equal(first.events.length, 50);
    assert.ok(first.nextCursor, 'a next page');
    const { events, sizes } = await allPages('');
    const synthetic = events.filter((event) => event.actor === alice || event.actor === bob);
    assert.equal(synthetic.length, 130, 'every synthetic event, once');
    assert.equal(new Set(events.map((event) => event.eventId)).size, events.length, 'no event twice');
    assert.deepEqual(
      sizes.slice(0, -1),
      sizes.slice(0, -1).map(() => 50),
    );
    assert.ok(sizes.at(-1) !== undefined && (sizes.at(-1) ?? 0) <= 50 && (sizes.at(-1) ?? 0) > 0);
    const syntheticTimes = times(synthetic);
    assert.deepEqual(
      syntheticTimes,
      [...syntheticTimes].sort((a, b) => b - a),
      'newest first',
    );
    assert.ok(
      events.every((event) => event.patient === patient.address.toLowerCase()),
      'only its own',
    );
  });

  it('takes `limit` from 1 to 200 and pages exactly at it', async () => {
    const { events, sizes } = await allPages(`?actor=${alice}&limit=13`);
    assert.equal(events.length, 65);
    assert.deepEqual(sizes, [13, 13, 13, 13, 13]);
    assert.equal((await page('?limit=200')).events.length >= 130, true);
    const one = await page(`?actor=${bob}&limit=1`);
    assert.equal(one.events.length, 1);
    assert.equal(Date.parse(one.events[0]?.recordedAt ?? ''), start + 129 * minute);
  });

  it('filters by outcome, actor, category and time range, alone and combined', async () => {
    const denied = (await allPages('?outcome=denied')).events;
    assert.ok(denied.length >= 44 && denied.every((event) => event.outcome === 'denied'));
    const byBob = (await allPages(`?actor=${bob}`)).events;
    assert.equal(byBob.length, 65);
    assert.ok(byBob.every((event) => event.actor === bob && event.category === 'medication'));
    const labs = (await allPages('?category=lab')).events;
    assert.ok(labs.every((event) => event.category === 'lab') && labs.length >= 65);
    // Events 10 to 19 (since is inclusive, until exclusive).
    const since = new Date(start + 10 * minute).toISOString();
    const until = new Date(start + 20 * minute).toISOString();
    const window = (await allPages(`?since=${since}&until=${until}`)).events;
    assert.deepEqual(
      times(window),
      Array.from({ length: 10 }, (_, k) => start + (19 - k) * minute),
    );
    // alice, refused, lab, in the window: events 12 and 18 (even and divisible by 3).
    const combined = (
      await allPages(`?actor=${alice}&outcome=denied&category=lab&since=${since}&until=${until}&limit=1`)
    ).events;
    assert.deepEqual(times(combined), [start + 18 * minute, start + 12 * minute]);
    const none = await page(`?actor=${bob}&category=lab`);
    assert.deepEqual(none, { events: [], nextCursor: null });
  });

  it('keeps the old queries working: outcome=denied, and format=fhir with a link to the next page', async () => {
    const denied = await page('?outcome=denied');
    assert.ok(denied.events.length > 0 && denied.events.every((event) => event.outcome === 'denied'));
    const fhir = (await get('?format=fhir&limit=20')).body as FhirAuditBundle;
    assert.equal(fhir.resourceType, 'Bundle');
    assert.equal(fhir.entry.length, 20);
    const next = fhir.link?.find((link) => link.relation === 'next')?.url ?? '';
    assert.match(next, /^\/api\/audit\?.*format=fhir.*before=\d+/);
    const second = (await call(gateway.url, 'GET', next, { token })).body as FhirAuditBundle;
    assert.equal(second.entry.length, 20);
    const ids = (bundle: FhirAuditBundle) => bundle.entry.map((entry) => entry.resource.id);
    assert.equal(new Set([...ids(fhir), ...ids(second)]).size, 40, 'the second page follows the first');
  });

  it('the client follows every page (auditAll) with the filters', async () => {
    const all = await patient.auditAll({ actor: alice, outcome: 'allowed' });
    assert.equal(all.length, 43);
    assert.ok(all.every((event) => event.actor === alice && event.outcome === 'allowed'));
    const first = await patient.audit({ actor: alice, limit: 5 });
    assert.equal(first.events.length, 5);
    const second = await patient.audit({ actor: alice, limit: 5, before: first.nextCursor ?? '' });
    assert.ok(Date.parse(second.events[0]?.recordedAt ?? '') < Date.parse(first.events[4]?.recordedAt ?? ''));
  });

  it('refuses bad input with 400 and a reason', async () => {
    const reasonOf = (response: ApiResponse) => (response.body as { error: { reason: string } }).error.reason;
    for (const [query, reason] of [
      ['?limit=0', 'bad_page_size'],
      ['?limit=201', 'bad_page_size'],
      ['?limit=ten', 'schema_violation'],
      ['?before=-1', 'schema_violation'],
      ['?actor=alice', 'schema_violation'],
      ['?outcome=maybe', 'schema_violation'],
      ['?category=gossip', 'schema_violation'],
      ['?since=yesterday', 'schema_violation'],
      [
        `?since=${new Date(start + minute).toISOString()}&until=${new Date(start).toISOString()}`,
        'bad_time_range',
      ],
    ] as const) {
      const response = await get(query);
      assertError(response, 400, 'invalid_input');
      assert.equal(reasonOf(response), reason, `${query}: ${response.text}`);
    }
  });
});
