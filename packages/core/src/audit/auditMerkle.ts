/**
 * Merkle trees over batches of audit events (design flow 7): the gateway anchors each batch's
 * root in `AuditAnchors` with its first sequence number and count; anyone holding events can
 * prove them against the anchored roots.
 *
 * The tree is exactly OpenZeppelin's `StandardMerkleTree` with leaf encoding
 * `['uint64', 'bytes32', 'bytes32']` and sorted leaves (`@openzeppelin/merkle-tree`, audited), whose
 * proofs the contracts check with OpenZeppelin's `MerkleProof.verify`:
 *
 * - leaf value: `(uint64 sequence, bytes32 eventHash, bytes32 tag)`, `eventHash = auditEventLeaf(event)`
 *   and `tag` the event's keyed per-patient tag (`auditTag.ts`), by which the patient recognises its
 *   own leaves;
 * - leaf hash (double-hashed, so no 64-byte leaf can pass for an inner node):
 *   `keccak256(bytes.concat(keccak256(abi.encode(sequence, eventHash, tag))))` (`auditLeafHash`);
 * - inner nodes: sorted-pair hashing, `keccak256(min(a, b) ‖ max(a, b))` (the library's
 *   `standardNodeHash`);
 * - the leaves are sorted by hash before the tree is built (the library's default), so a
 *   batch's root depends only on its set of leaves.
 *
 * In Solidity: `MerkleProof.verify(proof, root, keccak256(bytes.concat(keccak256(abi.encode(seq, eventHash, tag)))))`.
 *
 * For speed (`StandardMerkleTree.of` and `getProof` cost about 0.6 ms per event, mostly in its
 * ABI encoder and per-proof self-checks), the tree is built with the same library's lower-level
 * functions (`makeMerkleTree`, `getProof`, `processProof`, with its `standardNodeHash`), and the
 * leaf hash with viem's `encodeAbiParameters` and `keccak256`; the tests check that roots and
 * proofs equal `StandardMerkleTree`'s and verify with `StandardMerkleTree.verify`.
 */
import { getProof, makeMerkleTree, processProof } from '@openzeppelin/merkle-tree/dist/core.js';
import { encodeAbiParameters, type Hex, keccak256 } from 'viem';
import { InvalidInputError } from '../errors.ts';
import { type AuditEventInput, auditEventLeaf, auditSequence } from './auditEvent.ts';

/** The ABI types of a leaf value: (sequence, eventHash, tag), as `StandardMerkleTree` leaf encoding. */
export const auditLeafEncoding = ['uint64', 'bytes32', 'bytes32'];
const leafParameters = [{ type: 'uint64' }, { type: 'bytes32' }, { type: 'bytes32' }] as const;

/**
 * One leaf of an audit batch: an event's sequence number, its hash (`auditEventLeaf`) and its tag
 * (`auditLeafTag`). It says nothing about the event to whoever lacks the event and the tag key.
 */
export type AuditLeaf = { sequence: number; eventHash: Hex; tag: Hex };

/** A batch as anchored on chain. */
export type AnchoredAuditBatch = { firstSequence: number | bigint; count: number | bigint; root: Hex };

export type AuditBatch = {
  /** The Merkle root to anchor. */
  root: Hex;
  firstSequence: number;
  count: number;
  /** The leaves in sequence order (normalised: lower-case hex). */
  leaves: AuditLeaf[];
  /** The inclusion proof of each leaf, by sequence number. */
  proofs: Map<number, Hex[]>;
};

export type BuildAuditBatchErrorType = InvalidInputError;

const hash32Pattern = /^0x[0-9a-fA-F]{64}$/;

/**
 * The leaf of an event with its tag. Throws `InvalidInputError` on a malformed event or tag.
 *
 * @example
 * const leaf = auditLeaf(event, auditLeafTag(tagKey, event.sequence));
 */
export function auditLeaf(event: AuditEventInput, tag: Hex): AuditLeaf {
  return {
    sequence: auditSequence(event.sequence),
    eventHash: auditEventLeaf(event),
    tag: hash32(tag, 'tag'),
  };
}

/**
 * Builds the Merkle tree of a batch of leaves with consecutive sequence numbers (in any order;
 * checked: no gap, no duplicate): what the gateway anchors, and what a verifier given every leaf
 * of a batch recomputes. Throws `InvalidInputError`.
 *
 * @example
 * const { root, firstSequence, count, proofs } = buildAuditBatch(leaves);
 * // anchorAuditBatch(organisationId, firstSequence, count, root); proofs.get(sequence)
 */
export function buildAuditBatch(leaves: readonly AuditLeaf[]): AuditBatch {
  if (!Array.isArray(leaves) || leaves.length === 0) {
    throw new InvalidInputError('Invalid audit batch: expected at least one leaf.');
  }
  return buildFromLeaves(leaves.map(checkedLeaf));
}

function buildFromLeaves(unsorted: AuditLeaf[]): AuditBatch {
  const leaves = [...unsorted].sort((a, b) => a.sequence - b.sequence);
  const firstSequence = leaves[0]!.sequence;
  for (const [i, leaf] of leaves.entries()) {
    if (leaf.sequence !== firstSequence + i) {
      throw new InvalidInputError(
        `Invalid audit batch: sequence numbers must be consecutive; expected ${firstSequence + i}, got ${leaf.sequence}.`,
      );
    }
  }
  if (!Number.isSafeInteger(firstSequence + leaves.length)) {
    throw new InvalidInputError('Invalid audit batch: sequence numbers too large.');
  }
  // As StandardMerkleTree.of(values, auditLeafEncoding, { sortLeaves: true }): leaves sorted by
  // hash (byte order = order of equal-length lower-case hex), tree in the library's array layout.
  const hashes = leaves.map(hashLeaf);
  const order = hashes.map((_, i) => i).sort((a, b) => compareHex(hashes[a]!, hashes[b]!));
  const tree = makeMerkleTree(order.map((i) => hashes[i]!)) as Hex[];
  const proofs = new Map<number, Hex[]>();
  for (const [position, i] of order.entries()) {
    proofs.set(leaves[i]!.sequence, getProof(tree, tree.length - 1 - position) as Hex[]);
  }
  return { root: tree[0]!, firstSequence, count: leaves.length, leaves, proofs };
}

/**
 * The hash of a leaf as the tree and `MerkleProof.verify` use it:
 * `keccak256(keccak256(abi.encode(uint64 sequence, bytes32 eventHash, bytes32 tag)))`.
 *
 * @example
 * auditLeafHash(auditLeaf(event, tag)); // 0x…
 */
export function auditLeafHash(leaf: AuditLeaf): Hex {
  return hashLeaf(checkedLeaf(leaf));
}

function checkedLeaf(leaf: AuditLeaf): AuditLeaf {
  if (typeof leaf !== 'object' || leaf === null)
    throw new InvalidInputError('Invalid audit leaf: expected an object.');
  return {
    sequence: auditSequence(leaf.sequence),
    eventHash: hash32(leaf.eventHash, 'event hash'),
    tag: hash32(leaf.tag, 'tag'),
  };
}

function hashLeaf(leaf: AuditLeaf): Hex {
  return keccak256(
    keccak256(encodeAbiParameters(leafParameters, [BigInt(leaf.sequence), leaf.eventHash, leaf.tag])),
  );
}

function compareHex(a: Hex, b: Hex): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * True when `proof` proves `event` with `tag` (at its sequence number) under `root`; false when
 * it does not. Throws `InvalidInputError` on malformed input (event, tag, root or proof elements).
 *
 * @example
 * verifyAuditInclusion({ root: anchored.root, event, tag, proof }); // true
 */
export function verifyAuditInclusion(parameters: {
  root: Hex;
  event: AuditEventInput;
  tag: Hex;
  proof: readonly Hex[];
}): boolean {
  const { root, event, tag, proof } = parameters;
  return verifyAuditLeafInclusion({ root, leaf: auditLeaf(event, tag), proof });
}

/**
 * `verifyAuditInclusion` for a leaf given by its values.
 *
 * @example
 * verifyAuditLeafInclusion({ root, leaf: { sequence: 7, eventHash, tag }, proof }); // true
 */
export function verifyAuditLeafInclusion(parameters: {
  root: Hex;
  leaf: AuditLeaf;
  proof: readonly Hex[];
}): boolean {
  const { root, leaf, proof } = parameters;
  const checkedRoot = hash32(root, 'root');
  if (!Array.isArray(proof)) throw new InvalidInputError('Invalid Merkle proof: expected an array.');
  const checkedProof = proof.map((node, i) => hash32(node, `proof[${i}]`));
  return processProof(hashLeaf(checkedLeaf(leaf)), checkedProof) === checkedRoot;
}

function hash32(value: unknown, what: string): Hex {
  if (typeof value !== 'string' || !hash32Pattern.test(value)) {
    throw new InvalidInputError(`Invalid ${what}: expected 32 bytes of 0x hex.`);
  }
  return value.toLowerCase() as Hex;
}
