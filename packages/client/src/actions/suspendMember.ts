import type { MemberSuspended } from '@medledger/api';
import { consortiumTypes } from '@medledger/core';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * As the member's organisation admin: suspends a member (its grants stop counting at once).
 *
 * @example
 * await suspendMember(admin, doctor.address);
 */
export async function suspendMember(client: Transport, member: Address): Promise<MemberSuspended> {
  const admin = client.account.address;
  const signed = await client.signAction('consortium', consortiumTypes, 'SuspendMember', { member, admin });
  return client.call<MemberSuspended>('POST', `/api/members/${member}/suspension`, { admin, ...signed });
}
