import type { MemberProfileSet } from '@medledger/api';
import { consortiumTypes } from '@medledger/core';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

/** A member's public profile: shown for it in every list and log ("Dr Ana Silva (doctor, St Mary)"). */
export interface MemberProfile {
  /** 1..80 bytes of UTF-8. */
  displayName: string;
  /** "Dr", ...: at most 32 bytes; none if omitted. */
  title?: string;
  /** At most 80 bytes; none if omitted. */
  department?: string;
}

/**
 * As an admin of the member's organisation: sets (or replaces) its public profile on chain.
 *
 * @example
 * await setMemberProfile(admin, doctor.address, { displayName: 'Ana Silva', title: 'Dr', department: 'Cardiology' });
 */
export async function setMemberProfile(
  client: Transport,
  member: Address,
  profile: MemberProfile,
): Promise<MemberProfileSet> {
  const admin = client.account.address;
  const fields = {
    displayName: profile.displayName,
    title: profile.title ?? '',
    department: profile.department ?? '',
  };
  const signed = await client.signAction('consortium', consortiumTypes, 'SetMemberProfile', {
    member,
    name: fields.displayName,
    title: fields.title,
    department: fields.department,
    admin,
  });
  return client.call<MemberProfileSet>('POST', `/api/members/${member}/profile`, {
    admin,
    ...fields,
    ...signed,
  });
}
