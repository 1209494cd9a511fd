import type { MemberList } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * The members of one organisation.
 *
 * @example
 * const { members } = await members(admin, organisationId);
 */
export function members(client: Transport, organisationId: number): Promise<MemberList> {
  return client.call<MemberList>('GET', `/api/organisations/${organisationId}/members`);
}
