import type { AuthorErasureWindowVote } from '@medledger/api';
import { recordActionsTypes } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * As an admin: proposes how long after anchoring the author's organisation may erase a record entered in
 * error (0: never, the default); two thirds of the active organisations enact it.
 *
 * @example
 * const { proposalId } = await proposeAuthorErasureWindow(admin, 7 * 86400);
 */
export async function proposeAuthorErasureWindow(
  client: Transport,
  windowSeconds: number,
): Promise<AuthorErasureWindowVote> {
  const admin = client.account.address;
  const signed = await client.signAction('recordActions', recordActionsTypes, 'ProposeAuthorErasureWindow', {
    windowSeconds: BigInt(windowSeconds),
    admin,
  });
  return client.call<AuthorErasureWindowVote>('POST', '/api/records/erasure-window/proposals', {
    windowSeconds,
    admin,
    ...signed,
  });
}
