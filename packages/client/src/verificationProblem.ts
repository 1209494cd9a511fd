/**
 * A mismatch that verifying the ledger finds, from the chain's side (`verifyLedger.ts`) or from the
 * gateway index's (`verifyGatewayIndex.ts`).
 */
import type { Hex } from 'viem';

/** What kind of mismatch a problem is: stable, for programs (the `problem` text is for people). */
export type VerificationProblemKind =
  /** `--record` names a record that neither the chain nor the gateway knows. */
  | 'not-anchored'
  /** The gateway has indexed a record the chain does not anchor. */
  | 'missing-on-chain'
  /** The gateway has indexed a record with other fields than the chain anchors. */
  | 'anchor-mismatch'
  /** The anchoring transaction does not carry the record, or carries another one. */
  | 'event-mismatch'
  /** The record's signature is not its author's (or the patient's key in force). */
  | 'signature-mismatch'
  /** The contract's stored leaf hash differs from the anchored record. */
  | 'leaf-mismatch'
  /** The gateway does not serve the record's blob. */
  | 'blob-missing'
  /** The blob does not hash to the anchored digest, or its envelope describes another record. */
  | 'blob-mismatch'
  /** The chain erased the record, yet the gateway still serves its blob. */
  | 'erased-blob-served'
  /** A co-signature does not check against its record, its signer or the contract. */
  | 'co-signature-mismatch'
  /** A block holding anchors does not link to its parent or lacks the anchoring transaction. */
  | 'block-mismatch'
  /** Something could not be checked (the gateway or the chain failed to answer). */
  | 'unchecked';

export interface VerificationProblem {
  recordId: Hex | null;
  kind: VerificationProblemKind;
  problem: string;
}
