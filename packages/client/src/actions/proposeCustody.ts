import type { CustodyProposalResult } from '@medledger/api';
import { consortiumTypes } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * As an admin: proposes the consortium's key custody, which organisations hold shares of every new
 * record's key and how many of them (k) open it.
 *
 * @example
 * const { proposalId, enacted } = await proposeCustody(admin, [1, 2, 3], 2);
 */
export async function proposeCustody(
  client: Transport,
  custodians: number[],
  threshold: number,
): Promise<CustodyProposalResult> {
  const message = { custodians, threshold, admin: client.account.address };
  const signed = await client.signAction('consortium', consortiumTypes, 'ProposeCustody', message);
  return client.call<CustodyProposalResult>('POST', '/api/custody/proposals', { ...message, ...signed });
}
