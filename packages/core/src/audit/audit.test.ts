import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { standardLeafHash } from '@openzeppelin/merkle-tree/dist/hashes.js';
import { type Address, concat, encodeAbiParameters, type Hex, keccak256 } from 'viem';
import { bytesToHex, bytesToUtf8, randomBytes } from '../bytes.ts';
import { InvalidInputError } from '../errors.ts';
import { type AuditEventInput, auditEventLeaf, canonicalAuditEvent, encodeAuditEvent } from './auditEvent.ts';
import {
  auditBatchFromLeaves,
  auditLeafEncoding,
  auditLeafHash,
  buildAuditBatch,
  verifyAuditInclusion,
} from './auditMerkle.ts';
import { type AuditProblemKind, verifyAuditLog } from './verifyAuditLog.ts';

const actor = '0x70997970C51812dc3A010C7d01b50e20d4dc79C8' as Address;
const patientA = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as Address;
const patientB = '0x90F79bf6EB2c4f870365E785982E1f101E93b906' as Address;

function event(sequence: number, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    sequence,
    eventId: crypto.randomUUID(),
    recordedAt: 1_767_225_600_000 + sequence,
    actor,
    patient: sequence % 3 === 0 ? patientA : patientB,
    action: 'read',
    recordId: bytesToHex(randomBytes(32)),
    category: 'lab',
    sensitivity: 'normal',
    purpose: 'treatment',
    outcome: sequence % 4 === 0 ? 'denied' : 'allowed',
    reason: sequence % 4 === 0 ? 'no grant' : null,
    ...overrides,
  };
}

/** OpenZeppelin `MerkleProof.verify`, transcribed with viem: the convention the contracts use. */
function merkleProofVerify(proof: readonly Hex[], root: Hex, leaf: Hex): boolean {
  let computed = leaf;
  for (const node of proof) {
    computed =
      BigInt(computed) < BigInt(node)
        ? keccak256(concat([computed, node]))
        : keccak256(concat([node, computed]));
  }
  return computed === root;
}

/** The leaf as a Solidity contract computes it: keccak256(bytes.concat(keccak256(abi.encode(seq, eventHash)))). */
function solidityLeaf(sequence: number, eventHash: Hex): Hex {
  return keccak256(
    keccak256(encodeAbiParameters([{ type: 'uint64' }, { type: 'bytes32' }], [BigInt(sequence), eventHash])),
  );
}

function kinds(problems: { kind: AuditProblemKind }[]): AuditProblemKind[] {
  return [...new Set(problems.map((p) => p.kind))].sort();
}

describe('audit event encoding', () => {
  it('follows the documented canonical encoding', () => {
    const e: AuditEventInput = {
      sequence: 7n,
      eventId: '3f0c2a5e-8b1d-4c7a-9e2f-1a2b3c4d5e6f',
      recordedAt: '2026-01-01T00:00:00.007Z',
      actor,
      patient: patientA,
      action: 'read',
      recordId: `0x${'AB'.repeat(32)}`,
      category: 3,
      sensitivity: 1,
      purpose: 'treatment "urgent"',
      outcome: 'allowed',
      reason: null,
    };
    const text = bytesToUtf8(encodeAuditEvent(e));
    assert.equal(
      text,
      `["medledger/v1 audit-event",7,"3f0c2a5e-8b1d-4c7a-9e2f-1a2b3c4d5e6f",1767225600007,"${actor.toLowerCase()}","${patientA.toLowerCase()}","read","0x${'ab'.repeat(32)}","lab","restricted","treatment \\"urgent\\"","allowed",null]`,
    );
    assert.equal(auditEventLeaf(e), keccak256(new TextEncoder().encode(text)));
    // Same event, other spellings: same hash.
    assert.equal(
      auditEventLeaf({
        ...e,
        sequence: 7,
        recordedAt: 1_767_225_600_007,
        actor: actor.toLowerCase() as Address,
        recordId: `0x${'ab'.repeat(32)}`,
        category: 'lab',
        sensitivity: 'restricted',
        reason: undefined,
      }),
      auditEventLeaf(e),
    );
  });

  it('changes the hash when any field changes, null included', () => {
    const base = event(13);
    const hash = auditEventLeaf(base);
    const changes: Partial<AuditEventInput>[] = [
      { sequence: 14 },
      { eventId: 'other' },
      { recordedAt: 1 },
      { actor: patientA },
      { patient: null },
      { patient: patientA },
      { action: 'list' },
      { recordId: null },
      { category: 'allergy' },
      { category: null },
      { sensitivity: 'restricted' },
      { sensitivity: null },
      { purpose: null },
      { purpose: '' },
      { outcome: 'denied' },
      { reason: '' },
    ];
    const hashes = new Set([hash]);
    for (const change of changes) hashes.add(auditEventLeaf({ ...base, ...change }));
    assert.equal(hashes.size, changes.length + 1);
  });

  it('refuses malformed events', () => {
    for (const bad of [
      { sequence: -1 },
      { sequence: 1.5 },
      { sequence: 2n ** 64n },
      { eventId: '' },
      { recordedAt: '2026-01-01' },
      { recordedAt: '2026-02-30T00:00:00.000Z' },
      { recordedAt: -5 },
      { actor: '0x1234' as Address },
      { patient: 'alice' as Address },
      { recordId: '0x12' as Hex },
      { category: 'astrology' as 'lab' },
      { category: 99 },
      { sensitivity: 'secret' as 'normal' },
      { outcome: 'maybe' as 'allowed' },
      { reason: '\ud800' },
      { action: 'x'.repeat(5000) },
    ] as Partial<AuditEventInput>[]) {
      assert.throws(
        () => auditEventLeaf({ ...event(1), ...bad }),
        InvalidInputError,
        JSON.stringify(bad, (_, v) => (typeof v === 'bigint' ? `${v}` : v)),
      );
    }
    assert.equal(canonicalAuditEvent(event(3, { category: 0 })).category, 'condition');
  });
});

describe('audit batches', () => {
  it('proves every event of batches of 1 to 17, 64 and 100 events, exactly as OpenZeppelin’s StandardMerkleTree', () => {
    for (const size of [...Array(17).keys()].map((i) => i + 1).concat([64, 100])) {
      const events = Array.from({ length: size }, (_, i) => event(100 + i));
      const batch = buildAuditBatch([...events].reverse());
      assert.equal(batch.firstSequence, 100);
      assert.equal(batch.count, size);
      assert.deepEqual(
        batch.leaves.map((l) => l.sequence),
        events.map((e) => e.sequence),
      );
      // Exactly OpenZeppelin's StandardMerkleTree: same root, same proofs.
      const standard = StandardMerkleTree.of(
        events.map((e) => [BigInt(e.sequence), auditEventLeaf(e)]),
        auditLeafEncoding,
      );
      assert.equal(batch.root, standard.root);
      for (const [i, e] of events.entries()) {
        assert.deepEqual(batch.proofs.get(e.sequence as number), standard.getProof(i));
      }
      for (const e of events) {
        const proof = batch.proofs.get(e.sequence as number)!;
        const eventHash = auditEventLeaf(e);
        assert.equal(
          auditLeafHash(e.sequence, eventHash),
          standardLeafHash(auditLeafEncoding, [BigInt(e.sequence), eventHash]),
        );
        assert.ok(verifyAuditInclusion({ root: batch.root, event: e, proof }));
        // OpenZeppelin's own verifier (JS) and MerkleProof.verify (transcribed).
        assert.ok(
          StandardMerkleTree.verify(batch.root, auditLeafEncoding, [BigInt(e.sequence), eventHash], proof),
        );
        const leaf = auditLeafHash(e.sequence, eventHash);
        assert.equal(leaf, solidityLeaf(e.sequence as number, eventHash));
        assert.ok(merkleProofVerify(proof, batch.root, leaf));
        // The same proof does not prove another sequence or another event.
        assert.equal(verifyAuditInclusion({ root: batch.root, event: { ...e, sequence: 99 }, proof }), false);
        assert.equal(
          verifyAuditInclusion({ root: batch.root, event: { ...e, purpose: 'billing' }, proof }),
          false,
        );
      }
      if (size === 1) assert.equal(batch.root, auditLeafHash(100, auditEventLeaf(events[0]!)));
      // The leaves alone give the same root.
      assert.equal(auditBatchFromLeaves(batch.leaves).root, batch.root);
    }
  });

  it('refuses batches without consecutive sequence numbers', () => {
    assert.throws(() => buildAuditBatch([]), InvalidInputError);
    assert.throws(() => buildAuditBatch([event(1), event(3)]), /consecutive/);
    assert.throws(() => buildAuditBatch([event(1), event(2), event(2)]), /consecutive/);
    assert.throws(
      () => verifyAuditInclusion({ root: '0x12', event: event(1), proof: [] }),
      InvalidInputError,
    );
    assert.throws(
      () => verifyAuditInclusion({ root: `0x${'00'.repeat(32)}`, event: event(1), proof: ['0x1234'] }),
      InvalidInputError,
    );
  });
});

describe('audit log verification', () => {
  // An organisation's log: three anchored batches, sequences 0..9, 10..14, 15..21.
  const events = Array.from({ length: 22 }, (_, i) => event(i));
  const ranges = [
    [0, 10],
    [10, 5],
    [15, 7],
  ] as const;
  const built = ranges.map(([first, count]) => buildAuditBatch(events.slice(first, first + count)));
  const anchored = built.map((b) => ({
    firstSequence: BigInt(b.firstSequence),
    count: BigInt(b.count),
    root: b.root,
  }));
  const proofOf = (sequence: number) => built.flatMap((b) => b.proofs.get(sequence) ?? [])!;
  const withProofs = (list: AuditEventInput[]) =>
    list.map((e) => ({ event: e, proof: proofOf(e.sequence as number) }));
  const allLeaves = built.flatMap((b) => b.leaves);
  const ofPatientA = events.filter((e) => e.patient === patientA);
  const sequencesOfA = ofPatientA.map((e) => e.sequence);

  it('accepts the honest log, complete or per patient', () => {
    assert.deepEqual(verifyAuditLog({ batches: anchored, events: withProofs(events), expect: 'all' }), {
      ok: true,
      problems: [],
    });
    const forA = verifyAuditLog({
      batches: anchored,
      events: withProofs(ofPatientA),
      leaves: allLeaves,
      expect: sequencesOfA,
    });
    assert.deepEqual(forA, { ok: true, problems: [] });
    // With every leaf disclosed, proofs are optional.
    const noProofs = verifyAuditLog({
      batches: anchored,
      events: ofPatientA.map((e) => ({ event: e })),
      leaves: allLeaves,
    });
    assert.ok(noProofs.ok, JSON.stringify(noProofs.problems));
  });

  it('detects an edited event', () => {
    const edited = events.map((e) =>
      e.sequence === 4 ? { ...e, outcome: 'allowed' as const, reason: null } : e,
    );
    const result = verifyAuditLog({ batches: anchored, events: withProofs(edited), expect: 'all' });
    assert.equal(result.ok, false);
    assert.ok(result.problems.some((p) => p.kind === 'proof-failed' && p.sequence === 4));
    const withLeaves = verifyAuditLog({ batches: anchored, events: withProofs(edited), leaves: allLeaves });
    assert.deepEqual(kinds(withLeaves.problems), ['leaf-mismatch']);
  });

  it('detects a deleted event', () => {
    const deleted = events.filter((e) => e.sequence !== 11);
    const result = verifyAuditLog({ batches: anchored, events: withProofs(deleted), expect: 'all' });
    assert.deepEqual(
      result.problems.map((p) => [p.kind, p.sequence, p.batch]),
      [['missing-event', 11, 1]],
    );
  });

  it("detects an event withheld from a patient's history", () => {
    const withheld = ofPatientA.filter((e) => e.sequence !== 9);
    const result = verifyAuditLog({
      batches: anchored,
      events: withProofs(withheld),
      leaves: allLeaves,
      expect: sequencesOfA,
    });
    assert.deepEqual(
      result.problems.map((p) => [p.kind, p.sequence]),
      [['missing-event', 9]],
    );
    // A gateway that hides a leaf to cover it up is caught by the root.
    const hidden = verifyAuditLog({
      batches: anchored,
      events: withProofs(withheld),
      leaves: allLeaves.filter((l) => l.sequence !== 9),
    });
    assert.deepEqual(kinds(hidden.problems), ['incomplete-leaves']);
    // And one that replaces it by another leaf, by the anchored root.
    const replaced = verifyAuditLog({
      batches: anchored,
      events: withProofs(withheld),
      leaves: allLeaves.map((l) => (l.sequence === 9 ? { ...l, eventHash: bytesToHex(randomBytes(32)) } : l)),
    });
    assert.deepEqual(
      replaced.problems.map((p) => [p.kind, p.batch]),
      [['root-mismatch', 0]],
    );
  });

  it('detects reordered events (sequence numbers swapped)', () => {
    const swapped = events.map((e) =>
      e.sequence === 2 ? { ...e, sequence: 3 } : e.sequence === 3 ? { ...e, sequence: 2 } : e,
    );
    const result = verifyAuditLog({ batches: anchored, events: withProofs(swapped), expect: 'all' });
    const failed = result.problems.filter((p) => p.kind === 'proof-failed').map((p) => p.sequence);
    assert.deepEqual(failed, [2, 3]);
    const withLeaves = verifyAuditLog({ batches: anchored, events: withProofs(swapped), leaves: allLeaves });
    assert.deepEqual(
      withLeaves.problems.map((p) => [p.kind, p.sequence]),
      [
        ['leaf-mismatch', 2],
        ['leaf-mismatch', 3],
      ],
    );
  });

  it('detects a batch root that differs from the anchored one', () => {
    // The gateway rewrote batch 1 and rebuilt its tree: its events prove against its new root, not the anchored one.
    const rewritten = events.slice(10, 15).map((e) => (e.sequence === 12 ? { ...e, action: 'list' } : e));
    const forged = buildAuditBatch(rewritten);
    const forgedEvents = [
      ...withProofs(events.slice(0, 10)),
      ...rewritten.map((e) => ({ event: e, proof: forged.proofs.get(e.sequence as number)! })),
      ...withProofs(events.slice(15)),
    ];
    const result = verifyAuditLog({ batches: anchored, events: forgedEvents, expect: 'all' });
    assert.ok(result.problems.some((p) => p.kind === 'proof-failed' && p.sequence === 12));
    const withLeaves = verifyAuditLog({
      batches: anchored,
      events: forgedEvents,
      leaves: [...allLeaves.filter((l) => l.sequence < 10 || l.sequence >= 15), ...forged.leaves],
    });
    assert.ok(withLeaves.problems.some((p) => p.kind === 'root-mismatch' && p.batch === 1));
    // The anchored root itself replaced (say, a chain read that was tampered with): every event of the batch fails.
    const wrongRoot = anchored.map((b, i) => (i === 2 ? { ...b, root: bytesToHex(randomBytes(32)) } : b));
    const failed = verifyAuditLog({ batches: wrongRoot, events: withProofs(events) }).problems;
    assert.deepEqual(
      failed.map((p) => p.sequence),
      [15, 16, 17, 18, 19, 20, 21],
    );
  });

  it('reports unanchored, duplicate and malformed events and overlapping batches', () => {
    const late = event(30);
    const result = verifyAuditLog({
      batches: [
        ...anchored,
        { firstSequence: 20n, count: 5n, root: built[0]!.root },
        { firstSequence: 0, count: 0, root: built[0]!.root },
      ],
      events: [
        ...withProofs(events.slice(0, 3)),
        { event: late, proof: [] },
        { event: { ...events[1]!, reason: 'changed' }, proof: proofOf(1) },
        { event: { ...events[2]!, actor: 'nobody' as Address }, proof: proofOf(2) },
      ],
    });
    assert.deepEqual(kinds(result.problems), [
      'duplicate-event',
      'invalid-batch',
      'invalid-event',
      'not-anchored',
    ]);
    const unanchored = verifyAuditLog({ batches: anchored, events: [{ event: late, proof: [] }] });
    assert.deepEqual(kinds(unanchored.problems), ['not-anchored']);
    const proofFromOtherBatch = verifyAuditLog({
      batches: anchored,
      events: [{ event: events[3]!, proof: proofOf(12) }],
    });
    assert.deepEqual(kinds(proofFromOtherBatch.problems), ['proof-failed']);
  });
});
