import type { MemberAdded } from '@medledger/api';
import { consortiumTypes, type Role, roleCode } from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { Transport } from '../transport.ts';
import type { MemberProfile } from './setMemberProfile.ts';

/**
 * As the organisation's admin: adds a member with a role and its encryption key, and with its public
 * profile (display name, title, department) when `profile` is given: the admin signs both actions,
 * the gateway relays the profile right after the registration.
 *
 * @example
 * await addMember(admin, { organisationId, member: doctor.address, role: 'doctor', encryptionKey,
 *   profile: { displayName: 'Ana Silva', title: 'Dr' } });
 */
export async function addMember(
  client: Transport,
  input: { organisationId: number; member: Address; role: Role; encryptionKey: Hex; profile?: MemberProfile },
): Promise<MemberAdded> {
  const admin = client.account.address;
  const message = {
    organisationId: input.organisationId,
    member: input.member,
    role: roleCode(input.role),
    encryptionKey: input.encryptionKey,
    admin,
  };
  const signed = await client.signAction('consortium', consortiumTypes, 'AddMember', message);
  if (!input.profile) return client.call<MemberAdded>('POST', '/api/members', { ...message, ...signed });
  const profile = {
    displayName: input.profile.displayName,
    title: input.profile.title ?? '',
    department: input.profile.department ?? '',
  };
  const profileAction = await client.signAction('consortium', consortiumTypes, 'SetMemberProfile', {
    member: input.member,
    name: profile.displayName,
    title: profile.title,
    department: profile.department,
    admin,
  });
  return client.call<MemberAdded>('POST', '/api/members', {
    ...message,
    ...signed,
    ...profile,
    profileAction,
  });
}
