import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { standardLeafHash } from '@openzeppelin/merkle-tree/dist/hashes.js';
import { type Address, concat, encodeAbiParameters, type Hex, keccak256 } from 'viem';
import { bytesToHex, bytesToUtf8, randomBytes } from '../bytes.ts';
import { generateEncryptionKeyPair } from '../crypto/keys.ts';
import { InvalidInputError } from '../errors.ts';
import { type AuditEventInput, auditEventLeaf, canonicalAuditEvent, encodeAuditEvent } from './auditEvent.ts';
import {
  type AuditLeaf,
  auditLeaf,
  auditLeafEncoding,
  auditLeafHash,
  buildAuditBatch,
  verifyAuditInclusion,
} from './auditMerkle.ts';
import { auditFallbackTagKey, auditLeafTag, auditTagKey } from './auditTag.ts';
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

/** The leaf as a Solidity contract computes it: keccak256(bytes.concat(keccak256(abi.encode(seq, eventHash, tag)))). */
function solidityLeaf(sequence: number, eventHash: Hex, tag: Hex): Hex {
  return keccak256(
    keccak256(
      encodeAbiParameters(
        [{ type: 'uint64' }, { type: 'bytes32' }, { type: 'bytes32' }],
        [BigInt(sequence), eventHash, tag],
      ),
    ),
  );
}

// The organisation's gateway and the patients' encryption keys, and the tags the gateway gives.
const organisationId = 7;
const gatewayKeys = generateEncryptionKeyPair();
const keysOf = new Map([
  [patientA, generateEncryptionKeyPair()],
  [patientB, generateEncryptionKeyPair()],
]);
const gatewayTagKeys = new Map(
  [...keysOf].map(([patient, keys]) => [
    patient,
    auditTagKey({
      organisationId,
      organisationKey: gatewayKeys.publicKey,
      patientKey: keys.publicKey,
      secretKey: gatewayKeys.secretKey,
    }),
  ]),
);
const fallbackKey = auditFallbackTagKey({ organisationId, secretKey: gatewayKeys.secretKey });
/** The patient's own tag key, computed on its side. */
function patientTagKey(patient: Address): Uint8Array {
  const keys = keysOf.get(patient)!;
  return auditTagKey({
    organisationId,
    organisationKey: gatewayKeys.publicKey,
    patientKey: keys.publicKey,
    secretKey: keys.secretKey,
  });
}
function tagOf(e: AuditEventInput): Hex {
  const key = (e.patient && gatewayTagKeys.get(e.patient)) || fallbackKey;
  return auditLeafTag(key, e.sequence);
}
function leafOf(e: AuditEventInput): AuditLeaf {
  return auditLeaf(e, tagOf(e));
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

describe('audit tags', () => {
  it('gives the gateway and the patient the same key, and anyone else another', () => {
    const fromPatient = patientTagKey(patientA);
    assert.deepEqual(fromPatient, gatewayTagKeys.get(patientA));
    assert.equal(fromPatient.length, 32);
    assert.notDeepEqual(fromPatient, patientTagKey(patientB));
    // Bound to the organisation id.
    const keys = keysOf.get(patientA)!;
    const elsewhere = auditTagKey({
      organisationId: organisationId + 1,
      organisationKey: gatewayKeys.publicKey,
      patientKey: keys.publicKey,
      secretKey: keys.secretKey,
    });
    assert.notDeepEqual(elsewhere, fromPatient);
    // A third party's secret key is refused rather than used.
    assert.throws(
      () =>
        auditTagKey({
          organisationId,
          organisationKey: gatewayKeys.publicKey,
          patientKey: keys.publicKey,
          secretKey: generateEncryptionKeyPair().secretKey,
        }),
      InvalidInputError,
    );
  });

  it('follows the documented derivation: HKDF-SHA256 of the X25519 secret, then HMAC-SHA256 of the sequence', async () => {
    const { x25519 } = await import('@noble/curves/ed25519.js');
    const { hkdf: nodeHkdf, createHmac } = await import('node:crypto');
    const keys = keysOf.get(patientB)!;
    const shared = x25519.getSharedSecret(hexBytes(keys.secretKey), hexBytes(gatewayKeys.publicKey));
    const info = Buffer.concat([
      Buffer.from('medledger/v1 audit-tag key'),
      Buffer.from([0, 0, 0, organisationId]),
      hexBytes(gatewayKeys.publicKey),
      hexBytes(keys.publicKey),
    ]);
    const expected = await new Promise<Uint8Array>((resolve, reject) =>
      nodeHkdf('sha256', shared, new Uint8Array(0), info, 32, (error, key) =>
        error ? reject(error) : resolve(new Uint8Array(key)),
      ),
    );
    assert.deepEqual(patientTagKey(patientB), expected);
    const sequence = Buffer.alloc(8);
    sequence.writeBigUInt64BE(300n);
    assert.equal(
      auditLeafTag(expected, 300),
      `0x${createHmac('sha256', expected).update(sequence).digest('hex')}`,
    );
  });

  it('looks random: tags of one key differ per sequence, and differ across keys', () => {
    const tags = new Set<string>();
    for (const key of [...gatewayTagKeys.values(), fallbackKey]) {
      for (let sequence = 0; sequence < 200; sequence++) tags.add(auditLeafTag(key, sequence));
    }
    assert.equal(tags.size, 600);
    assert.notDeepEqual(
      fallbackKey,
      auditFallbackTagKey({ organisationId: 8, secretKey: gatewayKeys.secretKey }),
    );
  });

  it('refuses a low-order public key and malformed input', () => {
    // 0 and 1 are small-order u-coordinates: the shared secret would be zero, known to all.
    for (const patientKey of [`0x${'00'.repeat(32)}`, `0x01${'00'.repeat(31)}`] as Hex[]) {
      assert.throws(
        () =>
          auditTagKey({
            organisationId,
            organisationKey: gatewayKeys.publicKey,
            patientKey,
            secretKey: gatewayKeys.secretKey,
          }),
        InvalidInputError,
      );
    }
    assert.throws(() => auditLeafTag(new Uint8Array(31), 1), InvalidInputError);
    assert.throws(() => auditLeafTag(fallbackKey, -1), InvalidInputError);
    assert.throws(
      () => auditFallbackTagKey({ organisationId: 2 ** 32, secretKey: gatewayKeys.secretKey }),
      InvalidInputError,
    );
  });
});

describe('audit batches', () => {
  it('proves every event of batches of 1 to 17, 64 and 100 events, exactly as OpenZeppelin’s StandardMerkleTree', () => {
    for (const size of [...Array(17).keys()].map((i) => i + 1).concat([64, 100])) {
      const events = Array.from({ length: size }, (_, i) => event(100 + i));
      const batch = buildAuditBatch(events.map(leafOf).reverse());
      assert.equal(batch.firstSequence, 100);
      assert.equal(batch.count, size);
      assert.deepEqual(
        batch.leaves.map((l) => l.sequence),
        events.map((e) => e.sequence),
      );
      // Exactly OpenZeppelin's StandardMerkleTree: same root, same proofs.
      const standard = StandardMerkleTree.of(
        events.map((e) => [BigInt(e.sequence), auditEventLeaf(e), tagOf(e)]),
        auditLeafEncoding,
      );
      assert.equal(batch.root, standard.root);
      for (const [i, e] of events.entries()) {
        assert.deepEqual(batch.proofs.get(e.sequence as number), standard.getProof(i));
      }
      for (const e of events) {
        const proof = batch.proofs.get(e.sequence as number)!;
        const eventHash = auditEventLeaf(e);
        const tag = tagOf(e);
        const leaf = auditLeafHash({ sequence: e.sequence as number, eventHash, tag });
        assert.equal(leaf, standardLeafHash(auditLeafEncoding, [BigInt(e.sequence), eventHash, tag]));
        assert.ok(verifyAuditInclusion({ root: batch.root, event: e, tag, proof }));
        // OpenZeppelin's own verifier (JS) and MerkleProof.verify (transcribed).
        assert.ok(
          StandardMerkleTree.verify(
            batch.root,
            auditLeafEncoding,
            [BigInt(e.sequence), eventHash, tag],
            proof,
          ),
        );
        assert.equal(leaf, solidityLeaf(e.sequence as number, eventHash, tag));
        assert.ok(merkleProofVerify(proof, batch.root, leaf));
        // The same proof does not prove another sequence, another event or another tag.
        assert.equal(
          verifyAuditInclusion({ root: batch.root, event: { ...e, sequence: 99 }, tag, proof }),
          false,
        );
        assert.equal(
          verifyAuditInclusion({ root: batch.root, event: { ...e, purpose: 'billing' }, tag, proof }),
          false,
        );
        assert.equal(
          verifyAuditInclusion({ root: batch.root, event: e, tag: auditLeafTag(fallbackKey, 0), proof }),
          false,
        );
      }
      if (size === 1) assert.equal(batch.root, auditLeafHash(leafOf(events[0]!)));
    }
  });

  it('refuses batches without consecutive sequence numbers, and malformed leaves', () => {
    assert.throws(() => buildAuditBatch([]), InvalidInputError);
    assert.throws(() => buildAuditBatch([leafOf(event(1)), leafOf(event(3))]), /consecutive/);
    assert.throws(() => buildAuditBatch([event(1), event(2), event(2)].map(leafOf)), /consecutive/);
    assert.throws(() => buildAuditBatch([{ ...leafOf(event(1)), tag: '0x12' }]), InvalidInputError);
    assert.throws(() => auditLeaf(event(1), '0x' as Hex), InvalidInputError);
    assert.throws(
      () => verifyAuditInclusion({ root: '0x12', event: event(1), tag: tagOf(event(1)), proof: [] }),
      InvalidInputError,
    );
    assert.throws(
      () =>
        verifyAuditInclusion({
          root: `0x${'00'.repeat(32)}`,
          event: event(1),
          tag: tagOf(event(1)),
          proof: ['0x1234'],
        }),
      InvalidInputError,
    );
  });
});

describe('audit log verification', () => {
  // An organisation's log: three anchored batches, sequences 0..9, 10..14, 15..21; event 5 concerns
  // no patient (a fallback tag).
  const events = Array.from({ length: 22 }, (_, i) => event(i, i === 5 ? { patient: null } : {}));
  const ranges = [
    [0, 10],
    [10, 5],
    [15, 7],
  ] as const;
  const built = ranges.map(([first, count]) =>
    buildAuditBatch(events.slice(first, first + count).map(leafOf)),
  );
  const anchored = built.map((b) => ({
    firstSequence: BigInt(b.firstSequence),
    count: BigInt(b.count),
    root: b.root,
  }));
  const proofOf = (sequence: number) => built.flatMap((b) => b.proofs.get(sequence) ?? [])!;
  const withProofs = (list: AuditEventInput[]) =>
    list.map((e) => ({ event: e, tag: tagOf(e), proof: proofOf(e.sequence as number) }));
  const allLeaves = built.flatMap((b) => b.leaves);
  const ofPatientA = events.filter((e) => e.patient === patientA);
  const tagKeyA = patientTagKey(patientA);

  it('accepts the honest log, complete or per patient', () => {
    assert.deepEqual(verifyAuditLog({ batches: anchored, events: withProofs(events), expect: 'all' }), {
      ok: true,
      problems: [],
    });
    const forA = verifyAuditLog({
      batches: anchored,
      events: withProofs(ofPatientA),
      leaves: allLeaves,
      tagKey: tagKeyA,
    });
    assert.deepEqual(forA, { ok: true, problems: [] });
    // With every leaf disclosed, proofs and tags are optional.
    const noProofs = verifyAuditLog({
      batches: anchored,
      events: ofPatientA.map((e) => ({ event: e })),
      leaves: allLeaves,
      tagKey: tagKeyA,
    });
    assert.ok(noProofs.ok, JSON.stringify(noProofs.problems));
    // Patient B's key recognises none of A's events: B is given none and misses none of its own.
    const forB = verifyAuditLog({
      batches: anchored,
      events: withProofs(events.filter((e) => e.patient === patientB)),
      leaves: allLeaves,
      tagKey: patientTagKey(patientB),
    });
    assert.deepEqual(forB, { ok: true, problems: [] });
  });

  it('detects an edited event', () => {
    const edited = events.map((e) =>
      e.sequence === 4 ? { ...e, outcome: 'allowed' as const, reason: null } : e,
    );
    const result = verifyAuditLog({ batches: anchored, events: withProofs(edited), expect: 'all' });
    assert.deepEqual(
      result.problems.map((p) => [p.kind, p.sequence]),
      [['proof-failed', 4]],
    );
    const withLeaves = verifyAuditLog({ batches: anchored, events: withProofs(edited), leaves: allLeaves });
    assert.deepEqual(
      withLeaves.problems.map((p) => [p.kind, p.sequence]),
      [['leaf-mismatch', 4]],
    );
  });

  it('detects a deleted event', () => {
    const deleted = events.filter((e) => e.sequence !== 11);
    const result = verifyAuditLog({ batches: anchored, events: withProofs(deleted), expect: 'all' });
    assert.deepEqual(
      result.problems.map((p) => [p.kind, p.sequence, p.batch]),
      [['missing-event', 11, 1]],
    );
  });

  it("detects an event withheld from a patient's history by its tag", () => {
    const withheld = ofPatientA.filter((e) => e.sequence !== 9);
    const result = verifyAuditLog({
      batches: anchored,
      events: withProofs(withheld),
      leaves: allLeaves,
      tagKey: tagKeyA,
    });
    assert.deepEqual(
      result.problems.map((p) => [p.kind, p.sequence, p.batch]),
      [['withheld-event', 9, 0]],
    );
    // Without the tag key, nothing tells the patient.
    assert.ok(verifyAuditLog({ batches: anchored, events: withProofs(withheld), leaves: allLeaves }).ok);
    // A gateway that hides a leaf to cover it up is caught by the count.
    const hidden = verifyAuditLog({
      batches: anchored,
      events: withProofs(withheld),
      leaves: allLeaves.filter((l) => l.sequence !== 9),
      tagKey: tagKeyA,
    });
    assert.deepEqual(kinds(hidden.problems), ['incomplete-leaves']);
    // One that re-tags it (or replaces it by another leaf), by the anchored root.
    for (const change of [
      { tag: auditLeafTag(fallbackKey, 9) },
      { eventHash: bytesToHex(randomBytes(32)) },
    ]) {
      const replaced = verifyAuditLog({
        batches: anchored,
        events: withProofs(withheld),
        leaves: allLeaves.map((l) => (l.sequence === 9 ? { ...l, ...change } : l)),
        tagKey: tagKeyA,
      });
      assert.deepEqual(
        replaced.problems.map((p) => [p.kind, p.batch]),
        [['root-mismatch', 0]],
      );
    }
    // And one that moves a leaf to another batch, by both batches' roots.
    const moved = verifyAuditLog({
      batches: anchored,
      events: withProofs(withheld),
      leaves: allLeaves.map((l) =>
        l.sequence === 9 ? { ...l, sequence: 10 } : l.sequence === 10 ? { ...l, sequence: 9 } : l,
      ),
      tagKey: tagKeyA,
    });
    assert.deepEqual(kinds(moved.problems), ['root-mismatch']);
  });

  it('detects reordered events (served at swapped sequence numbers)', () => {
    const [first, second] = ofPatientA as [AuditEventInput, AuditEventInput];
    const swap = (e: AuditEventInput) =>
      e.sequence === first.sequence
        ? { ...second, sequence: first.sequence }
        : e.sequence === second.sequence
          ? { ...first, sequence: second.sequence }
          : e;
    const swapped = ofPatientA.map(swap);
    const result = verifyAuditLog({
      batches: anchored,
      events: swapped.map((e) => ({ event: e })),
      leaves: allLeaves,
      tagKey: tagKeyA,
    });
    assert.deepEqual(
      result.problems.map((p) => [p.kind, p.sequence]),
      [
        ['reordered-event', first.sequence],
        ['reordered-event', second.sequence],
      ],
    );
    assert.match(result.problems[0]!.message, new RegExp(`anchored at sequence ${second.sequence}`));
    // With proofs only, a reordered event fails its proof.
    const withProofsOnly = verifyAuditLog({ batches: anchored, events: withProofs(events.map(swap)) });
    assert.deepEqual(
      withProofsOnly.problems.map((p) => [p.kind, p.sequence]),
      [
        ['proof-failed', first.sequence],
        ['proof-failed', second.sequence],
      ],
    );
    // One event moved onto the place of a withheld one: one problem, where it was served.
    const movedOnto = ofPatientA
      .filter((e) => e.sequence !== second.sequence)
      .map((e) => (e.sequence === first.sequence ? { ...first, sequence: second.sequence } : e));
    const moved = verifyAuditLog({
      batches: anchored,
      events: movedOnto.map((e) => ({ event: e })),
      leaves: allLeaves,
      tagKey: tagKeyA,
    });
    assert.deepEqual(
      moved.problems.map((p) => [p.kind, p.sequence]),
      [['reordered-event', second.sequence]],
    );
  });

  it('detects a batch root that differs from the anchored one', () => {
    // The gateway rewrote batch 1 and rebuilt its tree: its events prove against its new root, not the anchored one.
    const rewritten = events.slice(10, 15).map((e) => (e.sequence === 12 ? { ...e, action: 'list' } : e));
    const forged = buildAuditBatch(rewritten.map(leafOf));
    const forgedEvents = [
      ...withProofs(events.slice(0, 10)),
      ...rewritten.map((e) => ({ event: e, tag: tagOf(e), proof: forged.proofs.get(e.sequence as number)! })),
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
        { event: late, tag: tagOf(late), proof: [] },
        { event: { ...events[1]!, reason: 'changed' }, tag: tagOf(events[1]!), proof: proofOf(1) },
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
      events: [{ event: events[3]!, tag: tagOf(events[3]!), proof: proofOf(12) }],
    });
    assert.deepEqual(kinds(proofFromOtherBatch.problems), ['proof-failed']);
    const noTag = verifyAuditLog({ batches: anchored, events: [{ event: events[3]!, proof: proofOf(3) }] });
    assert.deepEqual(kinds(noTag.problems), ['proof-failed']);
  });
});

function hexBytes(hex: Hex): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));
}
