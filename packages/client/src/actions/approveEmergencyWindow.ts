import type { EmergencyWindowApproved } from '@medledger/api';
import { emergenciesTypes } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * As an admin: approves a proposed emergency window.
 *
 * @example
 * const { enacted } = await approveEmergencyWindow(admin, proposalId);
 */
export async function approveEmergencyWindow(
  client: Transport,
  proposalId: number,
): Promise<EmergencyWindowApproved> {
  const approver = client.account.address;
  const signed = await client.signAction('emergencies', emergenciesTypes, 'ApproveEmergencyWindow', {
    proposalId: BigInt(proposalId),
    approver,
  });
  return client.call<EmergencyWindowApproved>(
    'POST',
    `/api/emergency-window/proposals/${proposalId}/approvals`,
    {
      approver,
      ...signed,
    },
  );
}
