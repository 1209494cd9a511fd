/**
 * Multi-signature stamps as the chain tells them: whether a record is final under the co-signature
 * policy of its category, and who signed it (its author, by anchoring it, then its co-signers).
 */
import { type RecordLeaf, roleOfCode } from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import type { GatewayStore, RecordRow } from './store/gatewayStore.ts';

export interface StampSigner {
  address: Address;
  /** `author` signed the record when it was anchored; `co-signer` added a co-signature. */
  as: 'author' | 'co-signer';
  /** A member role, or `patient`. */
  role: string;
  organisationId: number;
}

export interface Stamp {
  status: 'final' | 'draft';
  /** The version of the category's policy the record is judged by; 0 when none applies. */
  policyVersion: number;
  signers: StampSigner[];
}

export type Stamps = ReturnType<typeof createStamps>;

export function createStamps({ ledger, store }: { ledger: LedgerClient; store: GatewayStore }) {
  async function signerOf(address: Address, patient: Address, as: StampSigner['as']): Promise<StampSigner> {
    if (address.toLowerCase() === patient.toLowerCase()) {
      const registered =
        (await store.patient(address)) ?? (await ledger.read('consortium', 'patient', [address]));
      return { address, as, role: 'patient', organisationId: registered.organisationId };
    }
    const member = (await store.member(address)) ?? (await ledger.read('consortium', 'member', [address]));
    return { address, as, role: roleOfCode(member.role) ?? 'none', organisationId: member.organisationId };
  }

  /** The stamp of an anchored record, read from the chain (fails closed when it cannot be read). */
  async function of(row: RecordRow): Promise<Stamp> {
    const stamp = await ledger.read('coSignatures', 'stampOf', [leafOf(row)]);
    const signers = await Promise.all([
      signerOf(row.author, row.patient, 'author'),
      ...stamp.coSigners.map((address) =>
        signerOf(address.toLowerCase() as Address, row.patient, 'co-signer'),
      ),
    ]);
    return {
      status: stamp.finalised ? 'final' : 'draft',
      policyVersion: Number(stamp.policyVersion),
      signers,
    };
  }

  return { of };
}

/** The record's signed fields as the contracts take them. */
export function leafOf(row: RecordRow): RecordLeaf {
  return {
    recordId: row.recordId,
    patient: row.patient,
    author: row.author,
    category: row.category,
    sensitivity: row.sensitivity,
    contentDigest: row.contentDigest,
    supersedes: row.supersedes as Hex,
    createdAt: BigInt(row.createdAt),
  };
}
