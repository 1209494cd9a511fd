import type { MemberAdded } from '@medledger/api';
import { consortiumTypes, type Role, roleCode } from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * As the organisation's admin: adds a member with a role and its encryption key.
 *
 * @example
 * await addMember(admin, { organisationId, member: doctor.address, role: 'doctor', encryptionKey });
 */
export async function addMember(
  client: Transport,
  input: { organisationId: number; member: Address; role: Role; encryptionKey: Hex },
): Promise<MemberAdded> {
  const message = {
    organisationId: input.organisationId,
    member: input.member,
    role: roleCode(input.role),
    encryptionKey: input.encryptionKey,
    admin: client.account.address,
  };
  const signed = await client.signAction('consortium', consortiumTypes, 'AddMember', message);
  return client.call<MemberAdded>('POST', '/api/members', { ...message, ...signed });
}
