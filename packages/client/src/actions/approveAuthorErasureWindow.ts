import type { AuthorErasureWindowVote } from '@medledger/api';
import { recordActionsTypes } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * As an admin: approves an author erasure window proposal for its organisation.
 *
 * @example
 * const { enacted } = await approveAuthorErasureWindow(admin, proposalId);
 */
export async function approveAuthorErasureWindow(
  client: Transport,
  proposalId: number,
): Promise<AuthorErasureWindowVote> {
  const approver = client.account.address;
  const signed = await client.signAction('recordActions', recordActionsTypes, 'ApproveAuthorErasureWindow', {
    proposalId: BigInt(proposalId),
    approver,
  });
  return client.call<AuthorErasureWindowVote>(
    'POST',
    `/api/records/erasure-window/proposals/${proposalId}/approvals`,
    { approver, ...signed },
  );
}
