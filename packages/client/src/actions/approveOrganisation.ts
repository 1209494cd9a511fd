import type { OrganisationApproved } from '@medledger/api';
import { consortiumTypes } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * As an active organisation's admin: approves a proposed organisation (two thirds enact it).
 *
 * @example
 * const { status } = await approveOrganisation(admin, organisationId);
 */
export async function approveOrganisation(
  client: Transport,
  organisationId: number,
): Promise<OrganisationApproved> {
  const approver = client.account.address;
  const signed = await client.signAction('consortium', consortiumTypes, 'ApproveOrganisation', {
    organisationId,
    approver,
  });
  return client.call<OrganisationApproved>('POST', `/api/organisations/${organisationId}/approvals`, {
    approver,
    ...signed,
  });
}
