import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hex } from 'viem';
import {
  anchorAuditBatch,
  newAccount,
  proposeOrganisation,
  randomBytes32,
  setGateway,
  zeroAddress,
  zeroHash,
} from './helpers/actions.ts';
import { type Consortium, setUpConsortium } from './helpers/fixtures.ts';
import {
  assertEvents,
  assertRevert,
  deployLedger,
  isolateEachTest,
  otherSenders,
  relayerAddress,
  type TestLedger,
  type WriteResult,
} from './helpers/ledger.ts';

const maxSequence = 2n ** 64n - 1n;

interface AuditBatch {
  root: Hex;
  firstSequence: bigint;
  count: bigint;
  anchoredAt: bigint;
  blockNumber: bigint;
}

describe('AuditAnchors', () => {
  let ledger: TestLedger;
  let c: Consortium;
  const [labRelayer, intruder] = otherSenders as [`0x${string}`, `0x${string}`];
  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
    await setGateway(ledger, c.hospitalAdmin, c.hospital, { relayer: relayerAddress });
    await setGateway(ledger, c.labAdmin, c.lab, { relayer: labRelayer });
  });
  after(() => ledger.stop());
  isolateEachTest(() => ledger);

  const nextSequence = (organisationId: number) =>
    ledger.read<bigint>('auditAnchors', 'nextSequence', [organisationId]);
  const batchCount = (organisationId: number) =>
    ledger.read<bigint>('auditAnchors', 'batchCount', [organisationId]);
  const batch = (organisationId: number, index: bigint) =>
    ledger.read<AuditBatch>('auditAnchors', 'batch', [organisationId, index]);
  const batchContaining = (organisationId: number, sequence: bigint) =>
    ledger.read<bigint>('auditAnchors', 'batchContaining', [organisationId, sequence]);

  /** The batch a successful anchor must have stored: its block's number and timestamp. */
  async function storedBy(result: WriteResult, root: Hex, firstSequence: bigint, count: bigint) {
    const block = await ledger.publicClient.getBlock({ blockNumber: result.receipt.blockNumber });
    return { root, firstSequence, count, anchoredAt: block.timestamp, blockNumber: block.number };
  }

  it('knows its consortium and starts every organisation at sequence 0', async () => {
    assert.equal(await ledger.read('auditAnchors', 'consortium'), ledger.addresses.consortium);
    assert.equal(await nextSequence(c.hospital), 0n);
    assert.equal(await batchCount(c.hospital), 0n);
    assert.equal(await nextSequence(99), 0n);
    await assertRevert(batch(c.hospital, 0n), 'AuditAnchorsUnknownBatch', [c.hospital, 0n]);
    await assertRevert(batchContaining(c.hospital, 0n), 'AuditAnchorsNotAnchored', [c.hospital, 0n]);
  });

  it('anchors consecutive batches sent by the organisation gateway', async (t) => {
    const roots = [randomBytes32(), randomBytes32(), randomBytes32()];
    const first = await anchorAuditBatch(ledger, c.hospital, 0n, 10n, roots[0]!);
    assertEvents(first, [
      {
        eventName: 'AuditBatchAnchored',
        args: { organisationId: c.hospital, batchIndex: 0n, firstSequence: 0n, count: 10n, root: roots[0] },
      },
    ]);
    assert.deepEqual(await batch(c.hospital, 0n), await storedBy(first, roots[0]!, 0n, 10n));
    assert.equal(await nextSequence(c.hospital), 10n);
    assert.equal(await batchCount(c.hospital), 1n);

    await ledger.increaseTime(60);
    const second = await anchorAuditBatch(ledger, c.hospital, 10n, 1n, roots[1]!);
    assertEvents(second, [
      {
        eventName: 'AuditBatchAnchored',
        args: { organisationId: c.hospital, batchIndex: 1n, firstSequence: 10n, count: 1n, root: roots[1] },
      },
    ]);
    const third = await anchorAuditBatch(ledger, c.hospital, 11n, 5n, roots[2]!);
    assert.deepEqual(await batch(c.hospital, 1n), await storedBy(second, roots[1]!, 10n, 1n));
    assert.deepEqual(await batch(c.hospital, 2n), await storedBy(third, roots[2]!, 11n, 5n));
    // The first batch is unchanged by the later ones.
    assert.deepEqual(await batch(c.hospital, 0n), await storedBy(first, roots[0]!, 0n, 10n));
    assert.equal(await nextSequence(c.hospital), 16n);
    assert.equal(await batchCount(c.hospital), 3n);
    await assertRevert(batch(c.hospital, 3n), 'AuditAnchorsUnknownBatch', [c.hospital, 3n]);

    // Each organisation has a sequence of its own.
    assert.equal(await nextSequence(c.lab), 0n);
    const lab = await anchorAuditBatch(ledger, c.lab, 0n, 3n, roots[0]!, { from: labRelayer });
    assert.equal(lab.events[0]?.args.batchIndex, 0n);
    assert.equal(await nextSequence(c.lab), 3n);
    assert.equal(await nextSequence(c.hospital), 16n);

    t.diagnostic(
      `gas: first anchor ${first.receipt.gasUsed}, second ${second.receipt.gasUsed}, third ${third.receipt.gasUsed}`,
    );
  });

  it('finds the batch containing any anchored sequence number', async () => {
    const counts = [3n, 1n, 7n, 2n, 1n, 1n, 12n];
    let firstSequence = 0n;
    const expected: bigint[] = [];
    for (const [index, count] of counts.entries()) {
      await anchorAuditBatch(ledger, c.hospital, firstSequence, count, randomBytes32());
      for (let i = 0n; i < count; i++) expected.push(BigInt(index));
      firstSequence += count;
    }
    const found = await Promise.all(
      expected.map((_, sequence) => batchContaining(c.hospital, BigInt(sequence))),
    );
    assert.deepEqual(found, expected);
    await assertRevert(batchContaining(c.hospital, firstSequence), 'AuditAnchorsNotAnchored', [
      c.hospital,
      firstSequence,
    ]);
    await assertRevert(batchContaining(c.hospital, maxSequence), 'AuditAnchorsNotAnchored', [
      c.hospital,
      maxSequence,
    ]);
    await assertRevert(batchContaining(c.lab, 0n), 'AuditAnchorsNotAnchored', [c.lab, 0n]);
  });

  it('accepts anchors only from the current relayer of the organisation gateway', async () => {
    const root = randomBytes32();
    await assertRevert(
      anchorAuditBatch(ledger, c.hospital, 0n, 1n, root, { from: intruder }),
      'AuditAnchorsNotGateway',
      [c.hospital, intruder],
    );
    // Another organisation's gateway cannot anchor for this one.
    await assertRevert(
      anchorAuditBatch(ledger, c.hospital, 0n, 1n, root, { from: labRelayer }),
      'AuditAnchorsNotGateway',
      [c.hospital, labRelayer],
    );
    await assertRevert(anchorAuditBatch(ledger, c.lab, 0n, 1n, root), 'AuditAnchorsNotGateway', [
      c.lab,
      relayerAddress,
    ]);

    // The admin moves the gateway: the old relayer is shut out, the new one continues the sequence.
    await anchorAuditBatch(ledger, c.hospital, 0n, 2n, root);
    await setGateway(ledger, c.hospitalAdmin, c.hospital, { relayer: intruder });
    await assertRevert(anchorAuditBatch(ledger, c.hospital, 2n, 1n, root), 'AuditAnchorsNotGateway', [
      c.hospital,
      relayerAddress,
    ]);
    await anchorAuditBatch(ledger, c.hospital, 2n, 1n, root, { from: intruder });
    // A zero relayer stops all anchoring.
    await setGateway(ledger, c.hospitalAdmin, c.hospital, { relayer: zeroAddress });
    for (const from of [relayerAddress, intruder, labRelayer]) {
      await assertRevert(
        anchorAuditBatch(ledger, c.hospital, 3n, 1n, root, { from }),
        'AuditAnchorsNotGateway',
        [c.hospital, from],
      );
    }
    assert.equal(await nextSequence(c.hospital), 3n);
  });

  it('accepts anchors only for active organisations', async () => {
    const admin = newAccount();
    const { organisationId: pending } = await proposeOrganisation(ledger, admin);
    const root = randomBytes32();
    await assertRevert(anchorAuditBatch(ledger, pending, 0n, 1n, root), 'AuditAnchorsOrganisationNotActive', [
      pending,
    ]);
    await assertRevert(anchorAuditBatch(ledger, 0, 0n, 1n, root), 'AuditAnchorsOrganisationNotActive', [0]);
    await assertRevert(anchorAuditBatch(ledger, 99, 0n, 1n, root), 'AuditAnchorsOrganisationNotActive', [99]);
  });

  it('rejects empty batches and zero roots', async () => {
    await assertRevert(
      anchorAuditBatch(ledger, c.hospital, 0n, 0n, randomBytes32()),
      'AuditAnchorsZeroCount',
      [c.hospital],
    );
    await assertRevert(anchorAuditBatch(ledger, c.hospital, 0n, 1n, zeroHash), 'AuditAnchorsZeroRoot', [
      c.hospital,
    ]);
    assert.equal(await batchCount(c.hospital), 0n);
  });

  it('rejects gaps, overlaps and replays of anchored batches', async () => {
    const root = randomBytes32();
    await assertRevert(anchorAuditBatch(ledger, c.hospital, 1n, 1n, root), 'AuditAnchorsGap', [
      c.hospital,
      0n,
      1n,
    ]);
    await anchorAuditBatch(ledger, c.hospital, 0n, 10n, root);
    // A gap after the last batch.
    await assertRevert(anchorAuditBatch(ledger, c.hospital, 11n, 1n, root), 'AuditAnchorsGap', [
      c.hospital,
      10n,
      11n,
    ]);
    // An overlap with the last batch, and the very same batch sent again.
    await assertRevert(anchorAuditBatch(ledger, c.hospital, 5n, 10n, randomBytes32()), 'AuditAnchorsGap', [
      c.hospital,
      10n,
      5n,
    ]);
    await assertRevert(anchorAuditBatch(ledger, c.hospital, 0n, 10n, root), 'AuditAnchorsGap', [
      c.hospital,
      10n,
      0n,
    ]);
    await assertRevert(anchorAuditBatch(ledger, c.hospital, 9n, 1n, root), 'AuditAnchorsGap', [
      c.hospital,
      10n,
      9n,
    ]);
    assert.equal(await batchCount(c.hospital), 1n);
    assert.equal((await batch(c.hospital, 0n)).root, root);
  });

  it('refuses a batch that would run past the largest sequence number', async () => {
    const root = randomBytes32();
    await anchorAuditBatch(ledger, c.hospital, 0n, maxSequence - 1n, root);
    await assertRevert(
      anchorAuditBatch(ledger, c.hospital, maxSequence - 1n, 2n, root),
      'AuditAnchorsSequenceOverflow',
      [c.hospital, maxSequence - 1n, 2n],
    );
    await anchorAuditBatch(ledger, c.hospital, maxSequence - 1n, 1n, root);
    assert.equal(await nextSequence(c.hospital), maxSequence);
    await assertRevert(
      anchorAuditBatch(ledger, c.hospital, maxSequence, 1n, root),
      'AuditAnchorsSequenceOverflow',
      [c.hospital, maxSequence, 1n],
    );
    assert.equal(await batchContaining(c.hospital, maxSequence - 1n), 1n);
    assert.equal(await batchContaining(c.hospital, 0n), 0n);
  });
});
