import type { CustodyApproved } from '@medledger/api';
import { consortiumTypes } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * As an admin: approves a custody proposal (two thirds of the active organisations enact it).
 *
 * @example
 * const { enacted } = await approveCustody(admin, proposalId);
 */
export async function approveCustody(client: Transport, proposalId: number): Promise<CustodyApproved> {
  const approver = client.account.address;
  const signed = await client.signAction('consortium', consortiumTypes, 'ApproveCustody', {
    proposalId: BigInt(proposalId),
    approver,
  });
  return client.call<CustodyApproved>('POST', `/api/custody/proposals/${proposalId}/approvals`, {
    approver,
    ...signed,
  });
}
