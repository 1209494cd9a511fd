/**
 * Property-based test of AuditAnchors: random anchor attempts (right or wrong sender, organisation, start,
 * count, root), gateway moves and time passing, run against the contract and a model of it. Whatever
 * happens, every organisation's anchored sequence stays gap-free and no batch is ever changed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Address, Hex, LocalAccount } from 'viem';
import {
  anchorAuditBatch,
  newAccount,
  proposeOrganisation,
  randomBytes32,
  setGateway,
  zeroAddress,
  zeroHash,
} from './helpers/actions.ts';
import { setUpConsortium } from './helpers/fixtures.ts';
import {
  assertRevert,
  deployLedger,
  otherSenders,
  relayerAddress,
  type TestLedger,
} from './helpers/ledger.ts';

const maxSequence = 2n ** 64n - 1n;
const senders: readonly Address[] = [relayerAddress, ...otherSenders];
const relayerChoices: readonly Address[] = [...senders, zeroAddress];

interface AuditBatch {
  root: Hex;
  firstSequence: bigint;
  count: bigint;
  anchoredAt: bigint;
  blockNumber: bigint;
}

interface Model {
  /** Relayer of each active organisation. */
  relayers: Map<number, Address>;
  batches: Map<number, AuditBatch[]>;
}

const command = {
  anchor: fc.record({
    type: fc.constant('anchor' as const),
    /** Index into [hospital, lab, pending organisation, unknown organisation]. */
    organisation: fc.oneof(
      { weight: 8, arbitrary: fc.nat(1) },
      { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) },
    ),
    sender: fc.oneof(
      { weight: 6, arbitrary: fc.constant('gateway' as const) },
      { weight: 1, arbitrary: fc.nat(2) },
    ),
    start: fc.oneof(
      { weight: 6, arbitrary: fc.constant('next' as const) },
      { weight: 2, arbitrary: fc.integer({ min: -3, max: 3 }) },
      { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: maxSequence }) },
    ),
    count: fc.oneof(
      { weight: 1, arbitrary: fc.constant(0n) },
      { weight: 12, arbitrary: fc.bigInt({ min: 1n, max: 20n }) },
      { weight: 1, arbitrary: fc.bigInt({ min: maxSequence - 40n, max: maxSequence }) },
    ),
    zeroRoot: fc.oneof(
      { weight: 12, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
  }),
  move: fc.record({
    type: fc.constant('move' as const),
    organisation: fc.nat(1),
    relayer: fc.nat(relayerChoices.length - 1),
  }),
  time: fc.record({ type: fc.constant('time' as const), seconds: fc.integer({ min: 1, max: 3600 }) }),
};
type Command = {
  [K in keyof typeof command]: (typeof command)[K] extends fc.Arbitrary<infer C> ? C : never;
}[keyof typeof command];

function nextOf(batches: readonly AuditBatch[]): bigint {
  const last = batches.at(-1);
  return last ? last.firstSequence + last.count : 0n;
}

describe('AuditAnchors properties', () => {
  let ledger: TestLedger;
  let snapshot: Hex;
  /** Hospital and lab (active), a pending organisation, an unknown one. */
  let organisations: number[];
  let initialRelayers: Map<number, Address>;
  let admins: Map<number, LocalAccount>;
  before(async () => {
    ledger = await deployLedger();
    const c = await setUpConsortium(ledger);
    await setGateway(ledger, c.hospitalAdmin, c.hospital, { relayer: senders[0] });
    await setGateway(ledger, c.labAdmin, c.lab, { relayer: senders[1] });
    const { organisationId: pending } = await proposeOrganisation(ledger, newAccount());
    organisations = [c.hospital, c.lab, pending, 99];
    initialRelayers = new Map([
      [c.hospital, senders[0]!],
      [c.lab, senders[1]!],
    ]);
    admins = new Map([
      [c.hospital, c.hospitalAdmin],
      [c.lab, c.labAdmin],
    ]);
    snapshot = await ledger.snapshot();
  });
  after(() => ledger.stop());

  async function freshModel(): Promise<Model> {
    await ledger.revert(snapshot);
    snapshot = await ledger.snapshot();
    return {
      relayers: new Map(initialRelayers),
      batches: new Map(organisations.map((organisationId) => [organisationId, []])),
    };
  }

  /** Runs one command on the chain and on the model; returns its outcome (`ok` or the expected error). */
  async function run(model: Model, cmd: Command): Promise<string> {
    switch (cmd.type) {
      case 'time': {
        await ledger.increaseTime(cmd.seconds);
        return 'ok';
      }
      case 'move': {
        const organisationId = organisations[cmd.organisation]!;
        const relayer = relayerChoices[cmd.relayer]!;
        await setGateway(ledger, admins.get(organisationId)!, organisationId, { relayer });
        model.relayers.set(organisationId, relayer);
        return relayer === zeroAddress ? 'cleared' : 'ok';
      }
      case 'anchor': {
        const organisationId = organisations[cmd.organisation]!;
        const batches = model.batches.get(organisationId)!;
        const relayer = model.relayers.get(organisationId);
        const from =
          cmd.sender === 'gateway'
            ? relayer && relayer !== zeroAddress
              ? relayer
              : senders[0]!
            : senders[cmd.sender]!;
        const expected = nextOf(batches);
        const start =
          cmd.start === 'next'
            ? expected
            : typeof cmd.start === 'number'
              ? [0n, expected + BigInt(cmd.start), maxSequence].sort((a, b) =>
                  a < b ? -1 : a > b ? 1 : 0,
                )[1]!
              : cmd.start;
        const root = cmd.zeroRoot ? zeroHash : randomBytes32();
        const attempt = anchorAuditBatch(ledger, organisationId, start, cmd.count, root, { from });
        const rejected = async (errorName: string, args: readonly unknown[]) => {
          await assertRevert(attempt, errorName, args);
          return errorName;
        };
        if (relayer === undefined) return rejected('AuditAnchorsOrganisationNotActive', [organisationId]);
        if (from !== relayer) return rejected('AuditAnchorsNotGateway', [organisationId, from]);
        if (cmd.count === 0n) return rejected('AuditAnchorsZeroCount', [organisationId]);
        if (root === zeroHash) return rejected('AuditAnchorsZeroRoot', [organisationId]);
        if (start !== expected) return rejected('AuditAnchorsGap', [organisationId, expected, start]);
        if (start + cmd.count > maxSequence) {
          return rejected('AuditAnchorsSequenceOverflow', [organisationId, start, cmd.count]);
        }
        const result = await attempt;
        const block = await ledger.publicClient.getBlock({ blockNumber: result.receipt.blockNumber });
        assert.deepEqual(result.events[0]?.args, {
          organisationId,
          batchIndex: BigInt(batches.length),
          firstSequence: start,
          count: cmd.count,
          root,
        });
        batches.push({
          root,
          firstSequence: start,
          count: cmd.count,
          anchoredAt: block.timestamp,
          blockNumber: block.number,
        });
        return 'ok';
      }
    }
  }

  /** The chain holds exactly the model's batches, contiguous from 0, each where the model put it. */
  async function checkAgainstModel(model: Model): Promise<void> {
    const checks = [...model.batches].map(async ([organisationId, batches]) => {
      const [next, count] = await Promise.all([
        ledger.read<bigint>('auditAnchors', 'nextSequence', [organisationId]),
        ledger.read<bigint>('auditAnchors', 'batchCount', [organisationId]),
      ]);
      assert.equal(count, BigInt(batches.length));
      assert.equal(next, nextOf(batches));
      const onChain = await Promise.all(
        batches.map((_, index) =>
          ledger.read<AuditBatch>('auditAnchors', 'batch', [organisationId, BigInt(index)]),
        ),
      );
      // Never overwritten: every batch is still the one anchored, with its original time and block.
      assert.deepEqual(onChain, batches);
      // Gap-free, read from the chain itself.
      let expected = 0n;
      for (const anchored of onChain) {
        assert.equal(anchored.firstSequence, expected);
        assert.ok(anchored.count > 0n && anchored.root !== zeroHash);
        expected += anchored.count;
      }
      const lookups = onChain.flatMap((anchored, index) => [
        [anchored.firstSequence, BigInt(index)] as const,
        [anchored.firstSequence + anchored.count - 1n, BigInt(index)] as const,
      ]);
      await Promise.all(
        lookups.map(async ([sequence, index]) =>
          assert.equal(
            await ledger.read<bigint>('auditAnchors', 'batchContaining', [organisationId, sequence]),
            index,
          ),
        ),
      );
      await assertRevert(
        ledger.read('auditAnchors', 'batchContaining', [organisationId, next]),
        'AuditAnchorsNotAnchored',
        [organisationId, next],
      );
    });
    await Promise.all(checks);
  }

  it('keeps every organisation sequence gap-free and never overwrites a batch', async (t) => {
    const outcomes = new Map<string, number>();
    const commands = fc.array(
      fc.oneof(
        { weight: 10, arbitrary: command.anchor },
        { weight: 1, arbitrary: command.move },
        { weight: 1, arbitrary: command.time },
      ),
      { minLength: 1, maxLength: 10 },
    );
    await fc.assert(
      fc.asyncProperty(commands, async (sequence) => {
        const model = await freshModel();
        for (const cmd of sequence) {
          const outcome = `${cmd.type} ${await run(model, cmd)}`;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }
        await checkAgainstModel(model);
      }),
      { numRuns: 250 },
    );
    const sorted = [...outcomes].sort(([a], [b]) => (a < b ? -1 : 1));
    t.diagnostic(`outcomes: ${sorted.map(([outcome, count]) => `${outcome} ${count}`).join(', ')}`);
  });
});
