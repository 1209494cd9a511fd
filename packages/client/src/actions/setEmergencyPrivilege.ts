import type { EmergencyPrivilegeSet } from '@medledger/api';
import { emergenciesTypes } from '@medledger/core';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * As an organisation admin: gives a member of the organisation the emergency privilege ("break the
 * glass"), or takes it away.
 *
 * @example
 * await setEmergencyPrivilege(admin, doctor.address, true);
 */
export async function setEmergencyPrivilege(
  client: Transport,
  member: Address,
  privileged: boolean,
): Promise<EmergencyPrivilegeSet> {
  const admin = client.account.address;
  const signed = await client.signAction('emergencies', emergenciesTypes, 'SetEmergencyPrivilege', {
    member,
    privileged,
    admin,
  });
  return client.call<EmergencyPrivilegeSet>(
    'POST',
    `/api/members/${member.toLowerCase()}/emergency-privilege`,
    { admin, privileged, ...signed },
  );
}
