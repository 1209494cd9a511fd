import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, beforeEach, describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import { sharedTestPostgres } from '../../test/helpers/postgres.ts';
import { storeBackends, testAtRest } from '../../test/helpers/storeBackends.ts';
import type { AuditEventRow, ChainIndexUpdate, GatewayStore, GrantRow, RecordRow } from './gatewayStore.ts';
import { type GatewayStores, openGatewayStores } from './gatewayStores.ts';
import { appliedSchemaVersions, migrations } from './migrations.ts';
import { SqliteGatewayStore } from './sqliteStore.ts';

const alice = '0xA11CE00000000000000000000000000000000001' as Address;
const bob = '0xB0B0000000000000000000000000000000000002' as Address;
const carol = '0xCA201000000000000000000000000000000000003' as Address;
const key = `0x${'11'.repeat(32)}` as Hex;
const zeroHash = `0x${'00'.repeat(32)}` as Hex;
/** An idle timeout longer than any test's clock: only the absolute end counts. */
const day = 86_400_000;
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;

function emptyUpdate(toBlock: number): ChainIndexUpdate {
  return {
    toBlock,
    organisations: [],
    organisationActivations: [],
    members: [],
    memberSuspensions: [],
    patients: [],
    grants: [],
    revocations: [],
    requests: [],
    requestDenials: [],
    records: [],
    supersessions: [],
  };
}

function record(n: number, overrides: Partial<RecordRow> = {}): RecordRow {
  return {
    recordId: hash(n),
    patient: alice,
    author: bob,
    organisationId: 1,
    category: 3,
    sensitivity: 0,
    contentDigest: hash(1000 + n),
    cid: `bafkreitest${n}`,
    supersedes: zeroHash,
    supersededBy: null,
    createdAt: 1_700_000_000 + n,
    blockNumber: 10 + n,
    transactionHash: hash(2000 + n),
    ...overrides,
  };
}

function grant(grantId: number, overrides: Partial<GrantRow> = {}): GrantRow {
  return {
    grantId,
    patient: alice,
    grantee: bob,
    granteeOrganisation: 0,
    categories: 8,
    maxSensitivity: 0,
    actions: 1,
    purpose: hash(7),
    expiresAt: 2_000_000_000,
    requestId: 0,
    grantedAtBlock: 5,
    revokedAtBlock: null,
    ...overrides,
  };
}

function auditEvent(n: number, overrides: Partial<AuditEventRow> = {}): AuditEventRow {
  return {
    eventId: `event-${n}`,
    recordedAt: 1_700_000_000_000 + n,
    actor: bob,
    patient: alice,
    action: 'read',
    recordId: hash(n),
    category: 3,
    sensitivity: 0,
    purpose: 'TREAT',
    outcome: 'allowed',
    reason: null,
    ...overrides,
  };
}

/** A chain index update touching every table, as the indexer derives it from a block range. */
function fullUpdate(): ChainIndexUpdate {
  return {
    ...emptyUpdate(42),
    organisations: [
      {
        organisationId: 1,
        name: 'Hospital',
        kind: 1,
        admin: carol,
        encryptionKey: key,
        gatewayUrl: 'http://h',
        active: false,
      },
    ],
    organisationActivations: [1],
    members: [
      { address: bob, organisationId: 1, role: 1, encryptionKey: key, active: true },
      { address: carol, organisationId: 1, role: 6, encryptionKey: key, active: true },
    ],
    memberSuspensions: [carol],
    patients: [{ address: alice, organisationId: 1, encryptionKey: key }],
    grants: [grant(1), grant(2, { requestId: 1 })],
    revocations: [{ grantId: 1, blockNumber: 40 }],
    requests: [
      {
        requestId: 1,
        patient: alice,
        requester: bob,
        categories: 8,
        actions: 1,
        reasonHash: hash(9),
        status: 'pending',
        grantId: null,
        blockNumber: 30,
      },
      {
        requestId: 2,
        patient: alice,
        requester: bob,
        categories: 8,
        actions: 1,
        reasonHash: hash(10),
        status: 'pending',
        grantId: null,
        blockNumber: 31,
      },
    ],
    requestDenials: [2],
    records: [record(1), record(2, { supersedes: hash(1) })],
    supersessions: [{ recordId: hash(1), supersededBy: hash(2) }],
  };
}

for (const backend of storeBackends)
  describe(`GatewayStore on ${backend.name}`, () => {
    let stores: GatewayStores | undefined;
    let store: GatewayStore;
    beforeEach(async () => {
      await stores?.close();
      stores = await backend.open();
      store = stores.store;
    });
    after(() => stores?.close());

    describe('audit outbox', () => {
      it('numbers events 0, 1, 2, … across group commits and reads them back in order from any point', async () => {
        await store.appendAuditEvents([auditEvent(1), auditEvent(2)]);
        await store.appendAuditEvents([auditEvent(3)]);
        await store.appendAuditEvents([auditEvent(4), auditEvent(5), auditEvent(6)]);
        const all = await store.auditEventsFrom(0, 100);
        assert.deepEqual(
          all.map((event) => event.sequence),
          [0, 1, 2, 3, 4, 5],
        );
        assert.deepEqual(
          (await store.auditEventsFrom(2, 3)).map((event) => [event.sequence, event.eventId]),
          [2, 3, 4].map((sequence) => [sequence, all[sequence]?.eventId]),
        );
        assert.deepEqual(await store.auditEventsFrom(6, 10), []);
      });

      it('leaves no gap when a group commit fails', async () => {
        await store.appendAuditEvents([auditEvent(1)]);
        await assert.rejects(store.appendAuditEvents([auditEvent(2), auditEvent(2)]));
        await store.appendAuditEvents([auditEvent(3)]);
        assert.deepEqual(
          (await store.auditEventsFrom(0, 10)).map((event) => event.sequence),
          [0, 1],
        );
      });

      it('keeps anchored batches, once each', async () => {
        const batch = {
          batchIndex: 0,
          firstSequence: 0,
          count: 2,
          root: hash(9),
          transactionHash: hash(8),
          blockNumber: 7,
        };
        await store.saveAuditBatch(batch);
        await store.saveAuditBatch({ ...batch, root: hash(10) });
        assert.deepEqual(await store.auditBatches(), [batch]);
      });

      it('keeps the first leaf stored for a sequence, so a batch anchored after a crash is the one prepared', async () => {
        const leaves = [0, 1, 2].map((sequence) => ({
          sequence,
          eventHash: hash(20 + sequence),
          tag: hash(30 + sequence),
        }));
        await store.saveAuditLeaves(leaves.slice(0, 2));
        await store.saveAuditLeaves([{ ...leaves[1]!, tag: hash(99) }, leaves[2]!]);
        assert.deepEqual(await store.auditLeaves(0, 10), leaves);
        assert.deepEqual(await store.auditLeaves(1, 1), [leaves[1]]);
        assert.deepEqual(await store.auditLeaves(3, 10), []);
      });
    });

    describe('chain index', () => {
      it('starts with no indexed block', async () => {
        assert.equal(await store.indexedBlock(), null);
        assert.deepEqual(await store.allRecords(), []);
      });

      it('applies an update to every table and moves the cursor with it', async () => {
        await store.applyChainIndex(fullUpdate());
        assert.equal(await store.indexedBlock(), 42);
        assert.equal((await store.organisation(1))?.active, true);
        assert.equal((await store.organisation(1))?.admin, carol.toLowerCase());
        assert.deepEqual(
          (await store.membersOf(1)).map((m) => [m.address, m.active]),
          [
            [bob.toLowerCase(), true],
            [carol.toLowerCase(), false],
          ],
        );
        assert.equal((await store.patient(alice))?.organisationId, 1);
        assert.equal((await store.grant(1))?.revokedAtBlock, 40);
        assert.equal((await store.grant(2))?.revokedAtBlock, null);
        assert.deepEqual(
          (await store.accessRequests({ patient: alice })).map((r) => [r.requestId, r.status, r.grantId]),
          [
            [1, 'approved', 2],
            [2, 'denied', null],
          ],
        );
        const records = await store.recordsOfPatient(alice);
        assert.deepEqual(
          records.map((r) => [r.recordId, r.supersededBy]),
          [
            [hash(1), hash(2)],
            [hash(2), null],
          ],
        );
      });

      it('is idempotent: the same update applied again changes nothing', async () => {
        await store.applyChainIndex(fullUpdate());
        const snapshot = async () => ({
          block: await store.indexedBlock(),
          organisations: await store.organisations(),
          members: await store.membersOf(1),
          patient: await store.patient(alice),
          grants: await store.grantsOfPatient(alice),
          requests: await store.accessRequests({}),
          records: await store.allRecords(),
        });
        const first = await snapshot();
        await store.applyChainIndex(fullUpdate());
        assert.deepEqual(await snapshot(), first);
        assert.equal(first.records.length, 2);
        assert.equal(first.grants.length, 2);
      });

      it('keeps a record the anchorer inserted first when the indexer sees it later', async () => {
        await store.insertRecords([record(5, { organisationId: 1 })]);
        await store.insertRecords([record(5, { organisationId: 1 })]);
        await store.applyChainIndex({ ...emptyUpdate(50), records: [record(5, { organisationId: 1 })] });
        assert.equal((await store.allRecords()).length, 1);
        assert.equal((await store.record(hash(5)))?.cid, 'bafkreitest5');
        assert.equal(await store.indexedBlock(), 50);
      });

      it('indexes erasures, hidings and unhidings in chain order, and forgets them with the index', async () => {
        const lowerAlice = alice.toLowerCase() as Address;
        await store.applyChainIndex({
          ...emptyUpdate(80),
          records: [record(1), record(2), record(3)],
          recordLifecycle: [
            {
              type: 'hidden',
              recordId: hash(1),
              patient: alice,
              by: alice,
              retainUntil: 1_000,
              blockNumber: 80,
            },
            { type: 'hidden', recordId: hash(2), patient: alice, by: bob, retainUntil: 0, blockNumber: 80 },
            {
              type: 'hidden',
              recordId: hash(3),
              patient: alice,
              by: alice,
              retainUntil: 5_000,
              blockNumber: 80,
            },
            { type: 'unhidden', recordId: hash(3) },
            {
              type: 'erased',
              recordId: hash(2),
              patient: alice,
              by: alice,
              reason: 1,
              erasedAt: 900,
              blockNumber: 80,
            },
          ],
        });
        assert.deepEqual(await store.erasure(hash(2)), {
          recordId: hash(2),
          patient: lowerAlice,
          by: lowerAlice,
          reason: 1,
          erasedAt: 900,
          blockNumber: 80,
          cid: 'bafkreitest2',
        });
        assert.equal(await store.isErasedCid('bafkreitest2'), true);
        assert.equal(await store.isErasedCid('bafkreitest1'), false);
        // An erasure ends a hiding; an unhiding too.
        assert.deepEqual(
          (await store.hiddenOfPatient(alice)).map((row) => row.recordId),
          [hash(1)],
        );
        assert.deepEqual(
          (await store.retentionsDue(1_001, 10)).map((row) => row.recordId),
          [hash(1)],
        );
        assert.deepEqual(await store.retentionsDue(1_000, 10), []);
        assert.deepEqual(
          (await store.erasuresWithBlob()).map((row) => row.recordId),
          [hash(2)],
        );
        await store.markBlobsDeleted([hash(2)]);
        assert.deepEqual(await store.erasuresWithBlob(), []);
        await store.resetChainIndex();
        assert.equal(await store.erasure(hash(2)), undefined);
        assert.deepEqual(await store.hiddenOfPatient(alice), []);
      });

      it('pages through every record in the order of their ids, whatever the case of `after`', async () => {
        await store.insertRecords([7, 3, 12, 1, 10].map((n) => record(n)));
        const ids = async (after: Hex | null, limit: number) =>
          (await store.recordsPage(after, limit)).map((row) => row.recordId);
        assert.deepEqual(await ids(null, 2), [hash(1), hash(3)]);
        assert.deepEqual(await ids(hash(3), 2), [hash(7), hash(10)]);
        assert.deepEqual(await ids(hash(10).toUpperCase().replace('0X', '0x') as Hex, 2), [hash(12)]);
        assert.deepEqual(await ids(hash(12), 2), []);
      });

      it('pages through one patient’s records only, when asked', async () => {
        await store.insertRecords([
          ...[7, 3, 12].map((n) => record(n)),
          ...[1, 10].map((n) => record(n, { patient: bob })),
        ]);
        const ids = async (after: Hex | null, patient: Address) =>
          (await store.recordsPage(after, 2, patient)).map((row) => row.recordId);
        assert.deepEqual(await ids(null, alice), [hash(3), hash(7)]);
        assert.deepEqual(await ids(hash(7), alice.toUpperCase().replace('0X', '0x') as Address), [hash(12)]);
        assert.deepEqual(await ids(null, bob), [hash(1), hash(10)]);
      });

      it('looks records and members up whatever the case of the address or id', async () => {
        await store.applyChainIndex(fullUpdate());
        assert.equal(
          (await store.recordsOfPatient(alice.toUpperCase().replace('0X', '0x') as Address)).length,
          2,
        );
        assert.ok(await store.record(hash(1).toUpperCase().replace('0X', '0x') as Hex));
        assert.ok(await store.member(bob.toLowerCase() as Address));
      });

      it('answers "none" for an id no row can have (beyond 64 bits, negative, fractional)', async () => {
        await store.applyChainIndex(fullUpdate());
        for (const id of [1e20, 2 ** 63, -1, 1.5]) {
          assert.equal(await store.grant(id), undefined, `grant ${id}`);
          assert.equal(await store.accessRequest(id), undefined, `request ${id}`);
          assert.equal(await store.organisation(id), undefined, `organisation ${id}`);
          assert.deepEqual(await store.membersOf(id), [], `members of ${id}`);
        }
      });

      it('finds grants to an actor and to its organisation', async () => {
        await store.applyChainIndex({
          ...emptyUpdate(60),
          grants: [
            grant(1),
            grant(2, { grantee: null, granteeOrganisation: 7 }),
            grant(3, { grantee: carol }),
          ],
        });
        assert.deepEqual(
          (await store.grantsToActor(bob, 7)).map((g) => g.grantId),
          [1, 2],
        );
        assert.deepEqual(
          (await store.grantsToActor(bob, 0)).map((g) => g.grantId),
          [1],
        );
      });

      it('rolls the whole update back when one part fails', async () => {
        const broken = {
          ...emptyUpdate(70),
          records: [record(1)],
          grants: [grant(1, { patient: null as unknown as Address })],
        };
        await assert.rejects(store.applyChainIndex(broken));
        assert.equal(await store.indexedBlock(), null);
        assert.deepEqual(await store.allRecords(), []);
      });
    });

    describe('rate-limit windows', () => {
      it('count hits in a window, start a new one once it has passed, and are removed when old', async () => {
        assert.deepEqual(await store.countRateLimitHit('signIn|1.2.3.4', 1_000, 10_000), {
          hits: 1,
          windowStart: 10_000,
        });
        assert.deepEqual(await store.countRateLimitHit('signIn|1.2.3.4', 1_000, 10_500), {
          hits: 2,
          windowStart: 10_000,
        });
        // Another key counts apart.
        assert.equal((await store.countRateLimitHit('signIn|5.6.7.8', 1_000, 10_500)).hits, 1);
        // The window began 1,000 ms ago: a new one begins.
        assert.deepEqual(await store.countRateLimitHit('signIn|1.2.3.4', 1_000, 11_000), {
          hits: 1,
          windowStart: 11_000,
        });
        assert.equal(await store.deleteRateLimitWindows(11_000), 1);
        assert.equal((await store.countRateLimitHit('signIn|5.6.7.8', 1_000, 11_200)).hits, 1);
      });
    });

    describe('sign-in nonces', () => {
      it('can be used once', async () => {
        await store.saveSignInNonce('nonce-1', 2_000);
        assert.equal(await store.consumeSignInNonce('nonce-1', 1_000), true);
        assert.equal(await store.consumeSignInNonce('nonce-1', 1_000), false);
      });

      it('are stored up to a bound, expired ones removed to make room', async () => {
        const bound = { now: 1_000, max: 2 };
        assert.equal(await store.saveSignInNonce('a', 1_500, bound), true);
        assert.equal(await store.saveSignInNonce('b', 5_000, bound), true);
        assert.equal(await store.saveSignInNonce('c', 5_000, bound), false);
        assert.equal(await store.consumeSignInNonce('c', 1_000), false);
        // Later, 'a' has expired: it goes, and 'c' fits.
        assert.equal(await store.saveSignInNonce('c', 5_000, { now: 2_000, max: 2 }), true);
        assert.equal(await store.consumeSignInNonce('c', 2_000), true);
        assert.equal(await store.consumeSignInNonce('b', 2_000), true);
      });

      it('are refused once expired, and valid up to their expiry', async () => {
        await store.saveSignInNonce('late', 1_000);
        await store.saveSignInNonce('just-in-time', 1_000);
        assert.equal(await store.consumeSignInNonce('just-in-time', 1_000), true);
        assert.equal(await store.consumeSignInNonce('late', 1_001), false);
      });

      it('are unknown unless saved, and expired ones are purged', async () => {
        assert.equal(await store.consumeSignInNonce('never-issued', 0), false);
        await store.saveSignInNonce('stale', 1_000);
        await store.saveSignInNonce('fresh', 5_000);
        await store.consumeSignInNonce('other', 2_000); // any use purges expired nonces
        await store.saveSignInNonce('stale', 9_000); // would conflict had the old row stayed
        assert.equal(await store.consumeSignInNonce('fresh', 2_000), true);
      });
    });

    describe('sessions', () => {
      it('are found until their absolute end, then never again', async () => {
        await store.saveSession({
          tokenHash: 'h1',
          address: alice,
          signer: alice,
          expiresAt: 1_000,
          lastUsedAt: 0,
        });
        assert.deepEqual(await store.session('h1', 999, day), {
          tokenHash: 'h1',
          address: alice.toLowerCase(),
          signer: alice.toLowerCase(),
          expiresAt: 1_000,
          lastUsedAt: 0,
        });
        assert.equal(await store.session('h1', 1_000, day), undefined, 'valid only before its end');
        assert.equal(await store.session('unknown', 0, day), undefined);
      });

      it('end once unused for the idle timeout, though their absolute end is far', async () => {
        const idle = 15_000;
        await store.saveSession({
          tokenHash: 'idle',
          address: alice,
          signer: alice,
          expiresAt: day,
          lastUsedAt: 1_000,
        });
        assert.ok(await store.session('idle', 1_000 + idle - 1, idle));
        assert.equal(await store.session('idle', 1_000 + idle, idle), undefined);
      });

      it('stay valid while used within the idle timeout, and end at their absolute end even so', async () => {
        const idle = 10_000;
        const granularity = 2_000;
        await store.saveSession({
          tokenHash: 'busy',
          address: alice,
          signer: alice,
          expiresAt: 50_000,
          lastUsedAt: 0,
        });
        for (let now = 1_000; now < 50_000; now += 3_000) {
          assert.ok(await store.session('busy', now, idle), `valid at ${now}`);
          await store.touchSession('busy', now, granularity);
        }
        assert.equal((await store.session('busy', 49_999, idle))?.lastUsedAt, 49_000);
        assert.equal(await store.session('busy', 50_000, idle), undefined, 'past its absolute end');
      });

      it('record their last use at most once per granularity window', async () => {
        const granularity = 60_000;
        await store.saveSession({
          tokenHash: 't',
          address: alice,
          signer: alice,
          expiresAt: day,
          lastUsedAt: 1_000,
        });
        const writes: boolean[] = [];
        for (const now of [1_000, 30_000, 60_999, 61_000, 61_001, 100_000, 121_000]) {
          writes.push(await store.touchSession('t', now, granularity));
        }
        assert.deepEqual(writes, [false, false, false, true, false, false, true]);
        assert.equal((await store.session('t', 121_000, day))?.lastUsedAt, 121_000);
        assert.equal(await store.touchSession('unknown', 500_000, granularity), false);
      });

      it('ended ones are removed, by absolute end or idleness, and only those', async () => {
        const idle = 10_000;
        await store.saveSession({
          tokenHash: 'past-end',
          address: alice,
          signer: alice,
          expiresAt: 20_000,
          lastUsedAt: 19_000,
        });
        await store.saveSession({
          tokenHash: 'idle',
          address: alice,
          signer: alice,
          expiresAt: day,
          lastUsedAt: 9_000,
        });
        await store.saveSession({
          tokenHash: 'kept',
          address: alice,
          signer: alice,
          expiresAt: day,
          lastUsedAt: 15_000,
        });
        await store.saveSession({
          tokenHash: 'kept-2',
          address: bob,
          signer: bob,
          expiresAt: 20_001,
          lastUsedAt: 19_000,
        });
        assert.equal(await store.deleteEndedSessions(20_000, idle), 2);
        assert.equal(await store.deleteEndedSessions(20_000, idle), 0, 'nothing left to remove');
        // Asked as of time 0, when all were valid: only the rows still stored are found.
        assert.equal(await store.session('past-end', 0, day), undefined);
        assert.equal(await store.session('idle', 0, day), undefined);
        assert.ok(await store.session('kept', 0, day));
        assert.ok(await store.session('kept-2', 0, day));
      });

      it('of one account end together (sign-out everywhere), and no other account’s', async () => {
        for (const [tokenHash, address, signer] of [
          ['a1', alice, alice],
          ['a2', alice, bob], // opened with a key rotated in for alice
          ['b1', bob, bob],
          ['c1', carol, carol],
        ] as const) {
          await store.saveSession({ tokenHash, address, signer, expiresAt: day, lastUsedAt: 0 });
        }
        assert.equal(await store.deleteSessionsOfAccount(alice.toLowerCase() as Address), 2);
        assert.equal(await store.session('a1', 0, day), undefined);
        assert.equal(await store.session('a2', 0, day), undefined);
        assert.ok(await store.session('b1', 0, day));
        assert.ok(await store.session('c1', 0, day));
        assert.equal(await store.deleteSessionsOfAccount(alice), 0);
      });

      it('end on sign-out', async () => {
        await store.saveSession({
          tokenHash: 'h2',
          address: alice,
          signer: alice,
          expiresAt: 10_000,
          lastUsedAt: 0,
        });
        await store.deleteSession('h2');
        assert.equal(await store.session('h2', 0, day), undefined);
      });

      it('end when the key that opened them is rotated out, and only those', async () => {
        await store.applyChainIndex({
          ...emptyUpdate(1),
          patients: [{ address: alice, organisationId: 1, encryptionKey: key }],
        });
        await store.saveSession({
          tokenHash: 'old',
          address: alice,
          signer: alice,
          expiresAt: 10_000,
          lastUsedAt: 0,
        });
        await store.saveSession({
          tokenHash: 'new',
          address: alice,
          signer: bob,
          expiresAt: 10_000,
          lastUsedAt: 0,
        });
        await store.saveSession({
          tokenHash: 'other',
          address: carol,
          signer: carol,
          expiresAt: 10_000,
          lastUsedAt: 0,
        });
        await store.applyChainIndex({
          ...emptyUpdate(2),
          patientKeyRotations: [{ patient: alice, previousSigner: alice, encryptionKey: hash(7) }],
        });
        assert.equal(await store.session('old', 0, day), undefined);
        assert.equal((await store.session('new', 0, day))?.signer, bob.toLowerCase());
        assert.ok(await store.session('other', 0, day));
        assert.equal((await store.patient(alice))?.encryptionKey, hash(7));
        await store.deleteSessionsOfSigner(bob);
        assert.equal(await store.session('new', 0, day), undefined);
      });
    });

    describe('second factors', () => {
      const secondFactor = {
        secretIv: new Uint8Array(12).fill(1),
        secretCiphertext: new Uint8Array(36).fill(2),
      };

      it('keep the encrypted secret, pending until enabled, and are deleted', async () => {
        await store.saveSecondFactor({ address: alice, ...secondFactor, enabled: false, lastCounter: -1 });
        assert.deepEqual(await store.secondFactor(alice.toUpperCase() as typeof alice), {
          address: alice.toLowerCase(),
          ...secondFactor,
          enabled: false,
          lastCounter: -1,
        });
        await store.saveSecondFactor({ address: alice, ...secondFactor, enabled: true, lastCounter: 7 });
        assert.equal((await store.secondFactor(alice))?.enabled, true);
        await store.deleteSecondFactor(alice);
        assert.equal(await store.secondFactor(alice), undefined);
      });

      it('accept each time step once, and never an earlier one', async () => {
        await store.saveSecondFactor({ address: alice, ...secondFactor, enabled: true, lastCounter: -1 });
        assert.equal(await store.useSecondFactorCounter(alice, 100), true);
        assert.equal(await store.useSecondFactorCounter(alice, 100), false);
        assert.equal(await store.useSecondFactorCounter(alice, 99), false);
        assert.equal(await store.useSecondFactorCounter(alice, 101), true);
        assert.equal((await store.secondFactor(alice))?.lastCounter, 101);
        assert.equal(await store.useSecondFactorCounter(bob, 1), false, 'no second factor, nothing to use');
      });

      it('count failures within a window, forget older ones, and clear them', async () => {
        for (const at of [1_000, 2_000, 3_000]) await store.recordSecondFactorFailure(alice, at);
        await store.recordSecondFactorFailure(bob, 2_500);
        assert.deepEqual(await store.secondFactorFailures(alice, 1_500), [2_000, 3_000]);
        assert.deepEqual(
          await store.secondFactorFailures(alice, 0),
          [2_000, 3_000],
          'older ones were purged',
        );
        await store.clearSecondFactorFailures(alice);
        assert.deepEqual(await store.secondFactorFailures(alice, 0), []);
        assert.deepEqual(await store.secondFactorFailures(bob, 0), [2_500]);
      });
    });

    describe('audit events', () => {
      beforeEach(async () => {
        await store.appendAuditEvents([
          auditEvent(1),
          auditEvent(2, { actor: carol, outcome: 'denied', reason: 'no_consent' }),
          auditEvent(3, { patient: bob }),
          auditEvent(4, { actor: alice, patient: null, action: 'list', recordId: null, category: null }),
        ]);
      });

      it('are listed newest first, all fields kept', async () => {
        const events = await store.auditEvents({});
        assert.deepEqual(
          events.map((e) => e.eventId),
          ['event-4', 'event-3', 'event-2', 'event-1'],
        );
        assert.deepEqual(events[2], {
          ...auditEvent(2, {
            actor: carol.toLowerCase() as Address,
            outcome: 'denied',
            reason: 'no_consent',
          }),
          patient: alice.toLowerCase(),
          sequence: 1,
        });
        assert.equal(events[0]?.category, null);
        assert.equal(events[0]?.patient, null);
      });

      it('filter by patient, by actor, by a set of actors, and by all at once', async () => {
        const ids = async (query: Parameters<SqliteGatewayStore['auditEvents']>[0]) =>
          (await store.auditEvents(query)).map((e) => e.eventId);
        assert.deepEqual(await ids({ patient: alice }), ['event-2', 'event-1']);
        assert.deepEqual(await ids({ patient: alice.toLowerCase() as Address }), ['event-2', 'event-1']);
        assert.deepEqual(await ids({ actor: bob }), ['event-3', 'event-1']);
        assert.deepEqual(await ids({ actors: [carol, alice] }), ['event-4', 'event-2']);
        assert.deepEqual(await ids({ actors: [] }), []);
        assert.deepEqual(await ids({ patient: alice, actor: bob }), ['event-1']);
        assert.deepEqual(await ids({ limit: 1 }), ['event-4']);
      });

      it('refuses an event id twice, and then writes none of its batch', async () => {
        await assert.rejects(store.appendAuditEvents([auditEvent(5), auditEvent(1)]));
        assert.equal((await store.auditEvents({})).length, 4);
      });
    });
  });

for (const backend of storeBackends)
  describe(`Migrations on ${backend.name}`, () => {
    it('brings a new database to the latest version, recording each migration once', async () => {
      const stores = await backend.open();
      try {
        assert.deepEqual(
          await appliedSchemaVersions(stores.database),
          migrations.map((migration) => migration.version),
        );
      } finally {
        await stores.close();
      }
    });
  });

describe('Several gateway processes on one PostgreSQL database', () => {
  it('migrate it once when they start together, and number their audit events without gaps or repeats', async () => {
    const url = await (await sharedTestPostgres()).createDatabase();
    const processes = await Promise.all([1, 2, 3].map(() => openGatewayStores(url)));
    try {
      for (const { database } of processes) {
        assert.deepEqual(
          await appliedSchemaVersions(database),
          migrations.map((m) => m.version),
        );
      }
      await Promise.all(
        processes.flatMap(({ store }, p) =>
          Array.from({ length: 10 }, (_, batch) =>
            store.appendAuditEvents([1, 2].map((n) => auditEvent(p * 100 + batch * 10 + n))),
          ),
        ),
      );
      const events = await processes[0]!.store.auditEventsFrom(0, 1000);
      assert.deepEqual(
        events.map((event) => event.sequence),
        Array.from({ length: 60 }, (_, sequence) => sequence),
      );
      assert.equal(new Set(events.map((event) => event.eventId)).size, 60);
      for (const [index, event] of events.entries()) {
        // The two events of one append are consecutive: an append is numbered as one piece.
        if (index % 2 === 1)
          assert.equal(event.eventId.slice(0, -1), events[index - 1]!.eventId.slice(0, -1));
      }
    } finally {
      await Promise.all(processes.map((stores) => stores.close()));
    }
  });

  it('count rate-limit hits together: 3 processes × 20 concurrent hits on one key make 60', async () => {
    const url = await (await sharedTestPostgres()).createDatabase();
    const processes = await Promise.all([1, 2, 3].map(() => openGatewayStores(url)));
    try {
      const windows = await Promise.all(
        processes.flatMap(({ store }) =>
          Array.from({ length: 20 }, () => store.countRateLimitHit('signInAccount|0xabc', 60_000, 1_000)),
        ),
      );
      assert.deepEqual(
        windows.map((window) => window.hits).sort((a, b) => a - b),
        Array.from({ length: 60 }, (_, index) => index + 1),
      );
    } finally {
      await Promise.all(processes.map((stores) => stores.close()));
    }
  });

  it('run a named lock’s work one process at a time, and only that lock’s', async () => {
    const url = await (await sharedTestPostgres()).createDatabase();
    const processes = await Promise.all([1, 2, 3].map(() => openGatewayStores(url)));
    try {
      let inside = 0;
      let most = 0;
      const work = async () => {
        inside += 1;
        most = Math.max(most, inside);
        // Yields to the others several times, as real work (a chain round trip) would.
        for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
        await processes[0]!.database.get('SELECT 1 AS one');
        inside -= 1;
      };
      await Promise.all(
        processes.flatMap(({ coordination }) =>
          Array.from({ length: 8 }, () => coordination.exclusive('relay', work)),
        ),
      );
      assert.equal(most, 1, 'never two holders of one lock');
      // Different locks do not exclude each other: a holder of `index` does not wait for `relay`.
      // (`index` is taken only once `relay` is held: on a loaded machine, `relay` may take longer.)
      const release = Promise.withResolvers<void>();
      const held = Promise.withResolvers<void>();
      const holding = processes[0]!.coordination.exclusive('relay', () => {
        held.resolve();
        return release.promise;
      });
      await held.promise;
      assert.equal(await processes[1]!.coordination.exclusive('index', async () => 'indexed'), 'indexed');
      release.resolve();
      await holding;
    } finally {
      await Promise.all(processes.map((stores) => stores.close()));
    }
  });

  it('hand the pending actions of a process that ended, and only those, to a live one', async () => {
    const url = await (await sharedTestPostgres()).createDatabase();
    const [first, second] = await Promise.all([1, 2].map(() => openGatewayStores(url)));
    const entry = (n: number) => ({
      to: `0x${'1'.repeat(40)}` as Address,
      data: `0x0${n}` as Hex,
      gas: 100_000n,
      functionName: 'anchorRecords',
      author: null,
    });
    try {
      const firstId = await first!.journal.append(entry(1));
      const secondId = await second!.journal.append(entry(2));
      assert.equal(await second!.coordination.isAlive(first!.coordination.processId()), true);
      assert.deepEqual(
        (await second!.journal.pending()).map((e) => e.id),
        [secondId],
        'a live process keeps its own',
      );
      assert.deepEqual(
        (await first!.journal.pending()).map((e) => e.id),
        [firstId],
      );

      const firstProcess = first!.coordination.processId();
      await first!.close();
      assert.equal(await second!.coordination.isAlive(firstProcess), false);
      assert.deepEqual(
        (await second!.journal.orphaned()).map((e) => e.id),
        [firstId],
        'the ended process’s entries only',
      );
      assert.deepEqual(await second!.journal.orphaned(), [], 'taken over once');
      assert.deepEqual(
        (await second!.journal.pending()).map((e) => e.id),
        [firstId, secondId],
      );
    } finally {
      await second!.close();
    }
  });

  it('tell a process of one database from the same-numbered process of another on the server', async () => {
    const postgres = await sharedTestPostgres();
    const [mine, theirs] = [await postgres.createDatabase(), await postgres.createDatabase()];
    const ending = await openGatewayStores(mine);
    const staying = await openGatewayStores(mine);
    const elsewhere = await openGatewayStores(theirs);
    try {
      // Fresh databases number their processes alike: each store's first process is 1.
      assert.equal(elsewhere.coordination.processId(), ending.coordination.processId());
      await ending.close();
      assert.equal(
        await staying.coordination.isAlive(ending.coordination.processId()),
        false,
        'ended, though a process of that number lives in another database',
      );
      assert.equal(await elsewhere.coordination.isAlive(elsewhere.coordination.processId()), true);
    } finally {
      await Promise.all([staying.close(), elsewhere.close()]);
    }
  });

  it('tell every process when one stores notifications', async () => {
    const url = await (await sharedTestPostgres()).createDatabase();
    const [writer, reader] = await Promise.all([1, 2].map(() => openGatewayStores(url)));
    try {
      const heard = new Promise<void>((resolve) =>
        reader!.coordination.onAnnouncement('notifications', resolve),
      );
      await writer!.coordination.announce('notifications');
      await heard;
    } finally {
      await Promise.all([writer!.close(), reader!.close()]);
    }
  });
});

describe('GatewayStore on a SQLite file', () => {
  it('upgrades a data directory written before migrations were numbered, keeping every area', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'medledger-store-'));
    try {
      const path = join(directory, 'gateway.sqlite');
      const old = new DatabaseSync(path);
      old.exec(await readFile(new URL('./testdata/unnumbered-gateway.sql', import.meta.url), 'utf8'));
      old.close();
      const stores = await openGatewayStores(path, { atRest: testAtRest });
      const { store, emergencies, notifications, journal } = stores;
      assert.deepEqual(
        await appliedSchemaVersions(stores.database),
        migrations.map((m) => m.version),
      );
      assert.equal(await store.indexedBlock(), 42);
      assert.equal((await store.record(hash(11)))?.cid, 'bafkreiold');
      assert.equal((await store.grant(1))?.grantee, bob.toLowerCase());
      assert.equal(await store.requestReason(hash(9)), 'follow-up');
      // The reason the old version kept in clear was sealed in place on open.
      const raw = await stores.database.get('SELECT reason, sealed FROM request_reasons');
      assert.equal(raw?.sealed, 1);
      assert.doesNotMatch(String(raw?.reason), /follow-up/);
      assert.equal((await store.session('old-session', 0, day))?.signer, alice.toLowerCase());
      assert.deepEqual((await store.secondFactor(alice))?.secretIv, new Uint8Array([1, 2, 3]));
      assert.deepEqual((await store.keyBackup(alice))?.guardians, [bob.toLowerCase()]);
      assert.equal((await store.auditBatches()).length, 1);
      assert.equal((await emergencies.emergency(1))?.member, bob.toLowerCase());
      assert.equal(await emergencies.isEmergencyPrivileged(bob), true);
      assert.equal(await notifications.notifiedBlock(), 42);
      assert.equal((await journal.latestMined())?.id, 1);
      assert.deepEqual(
        (await journal.pending()).map((entry) => entry.id),
        [2],
      );
      // Numbering goes on where the old stores left it.
      await store.appendAuditEvents([auditEvent(4)]);
      assert.deepEqual(
        (await store.auditEventsFrom(0, 10)).map((event) => [event.sequence, event.eventId]),
        [
          [0, 'old-1'],
          [1, 'old-2'],
          [2, 'old-3'],
          [3, 'event-4'],
        ],
      );
      const [added] = await notifications.addNotifications([
        { recipient: alice, kind: 'grant-used', data: {}, key: 'new-1' },
      ]);
      assert.equal(added?.id, 3);
      assert.equal(
        await journal.append({ to: bob, data: '0x', gas: 1n, functionName: 'grant', author: null }),
        3,
      );
      await stores.close();
      const reopened = await openGatewayStores(path, { atRest: testAtRest });
      assert.deepEqual(
        await appliedSchemaVersions(reopened.database),
        migrations.map((m) => m.version),
      );
      await reopened.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('keeps what was written across a reopen', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'medledger-store-'));
    try {
      const path = join(directory, 'nested', 'gateway.sqlite');
      const first = new SqliteGatewayStore(path, testAtRest);
      await first.appendAuditEvents([auditEvent(1)]);
      await first.saveSession({
        tokenHash: 'h',
        address: alice,
        signer: alice,
        expiresAt: 10,
        lastUsedAt: 0,
      });
      await first.saveRequestReason(hash(9), 'follow-up');
      await first.close();
      const second = new SqliteGatewayStore(path, testAtRest);
      assert.equal((await second.auditEvents({})).length, 1);
      assert.ok(await second.session('h', 0, day));
      assert.equal(await second.requestReason(hash(9)), 'follow-up');
      assert.equal(await second.requestReason(hash(10)), undefined);
      await second.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('ends the sessions of a database written before sessions had an idle timeout, and keeps working', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'medledger-store-'));
    try {
      const path = join(directory, 'gateway.sqlite');
      const now = Date.UTC(2030, 0, 1);
      const idle = 15 * 60_000;
      const old = new DatabaseSync(path);
      old.exec(
        'CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, address TEXT NOT NULL, expires_at INTEGER NOT NULL)',
      );
      old.exec(`INSERT INTO sessions VALUES ('h', '${alice.toLowerCase()}', ${now + 60_000})`);
      old.close();
      const stores = await openGatewayStores(path);
      const { store } = stores;
      assert.deepEqual(
        await appliedSchemaVersions(stores.database),
        migrations.map((m) => m.version),
      );
      assert.equal(await store.session('h', now, idle), undefined, 'no recorded use: ended');
      assert.equal(await store.deleteEndedSessions(now, idle), 1);
      await store.saveSession({
        tokenHash: 'new',
        address: alice,
        signer: alice,
        expiresAt: now + 1,
        lastUsedAt: now,
      });
      assert.equal((await store.session('new', now, idle))?.lastUsedAt, now);
      await stores.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('adds the sessions’ signer column to a database created before it existed', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'medledger-store-'));
    try {
      const path = join(directory, 'gateway.sqlite');
      const old = new DatabaseSync(path);
      old.exec(
        'CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, address TEXT NOT NULL, expires_at INTEGER NOT NULL)',
      );
      old.exec(`INSERT INTO sessions VALUES ('h', '${alice.toLowerCase()}', 10)`);
      old.close();
      const store = new SqliteGatewayStore(path);
      assert.equal((await store.session('h', 0, day))?.signer, alice.toLowerCase(), 'signed by its own key');
      await store.saveSession({ tokenHash: 'h2', address: alice, signer: bob, expiresAt: 10, lastUsedAt: 0 });
      await store.deleteSessionsOfSigner(alice);
      assert.equal(await store.session('h', 0, day), undefined);
      assert.ok(await store.session('h2', 0, day));
      await store.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
