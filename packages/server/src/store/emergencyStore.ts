/**
 * The gateway's state of emergency access: an index of the Emergencies contract's events (the
 * chain stays the authority: access control asks it for every decision), the justifications
 * members wrote, which stay here and never go on chain, and which starts and ends of emergencies
 * this gateway has audited.
 */
import type { Address, Hex } from 'viem';

export interface EmergencyRow {
  emergencyId: number;
  member: Address;
  patient: Address;
  organisationId: number;
  reasonCode: number;
  justificationHash: Hex;
  /** Unix seconds, chain time. */
  declaredAt: number;
  expiresAt: number;
  blockNumber: number;
  transactionHash: Hex;
  /** 0 pending, 1 justified, 2 unjustified. */
  verdict: number;
  reviewer: Address | null;
  reviewedAt: number | null;
  startAudited: boolean;
  endAudited: boolean;
}

export type EmergencyDeclarationRow = Omit<
  EmergencyRow,
  'verdict' | 'reviewer' | 'reviewedAt' | 'startAudited' | 'endAudited'
>;

/** The changes of one range of blocks, applied atomically with the cursor. */
export interface EmergencyIndexUpdate {
  toBlock: number;
  declarations: EmergencyDeclarationRow[];
  reviews: { emergencyId: number; verdict: number; reviewer: Address; reviewedAt: number }[];
  /** In chain order: the last one for a member wins. */
  privileges: { member: Address; organisationId: number; privileged: boolean }[];
  windows: { version: number; windowSeconds: number }[];
}

export interface Justification {
  salt: Hex;
  text: string;
}

export interface EmergencyStore {
  /** The last block whose events are applied, or null before the first. */
  emergencyIndexedBlock(): Promise<number | null>;
  /** Moves the index's cursor back to `toBlock` (null: before the first block) if it is beyond it. */
  rewindEmergencyIndex(toBlock: number | null): Promise<void>;
  applyEmergencyIndex(update: EmergencyIndexUpdate): Promise<void>;

  emergency(emergencyId: number): Promise<EmergencyRow | undefined>;
  /** Emergencies declared by `member`, on `patient`'s record, or by members of `organisationIds`. */
  emergencies(filter: {
    member?: Address;
    patient?: Address;
    organisationIds?: number[];
  }): Promise<EmergencyRow[]>;
  /** Emergencies of `organisationIds` whose start or end this gateway has not audited yet. */
  emergenciesToAudit(organisationIds: number[]): Promise<EmergencyRow[]>;
  markEmergencyAudited(emergencyId: number, what: 'start' | 'end'): Promise<void>;

  isEmergencyPrivileged(member: Address): Promise<boolean>;
  /** The current window and its version (the contract's default until the consortium votes one). */
  emergencyWindow(): Promise<{ windowSeconds: number; version: number }>;

  /** Keeps a justification; resolves true if it was not kept yet. */
  saveJustification(justificationHash: Hex, justification: Justification): Promise<boolean>;
  justification(justificationHash: Hex): Promise<Justification | undefined>;
  /** Drops a justification whose declaration the chain refused. */
  forgetJustification(justificationHash: Hex): Promise<void>;
}
