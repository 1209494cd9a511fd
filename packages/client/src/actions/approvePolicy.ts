import type { PolicyApproved } from '@medledger/api';
import { coSignaturesTypes } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * As an organisation admin: approves a proposed co-signature policy.
 *
 * @example
 * const { enacted } = await approvePolicy(admin, proposalId);
 */
export async function approvePolicy(client: Transport, proposalId: number): Promise<PolicyApproved> {
  const approver = client.account.address;
  const signed = await client.signAction('coSignatures', coSignaturesTypes, 'ApprovePolicy', {
    proposalId: BigInt(proposalId),
    approver,
  });
  return client.call<PolicyApproved>('POST', `/api/co-signature-policies/proposals/${proposalId}/approvals`, {
    approver,
    ...signed,
  });
}
