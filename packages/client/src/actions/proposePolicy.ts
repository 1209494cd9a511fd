import type { PolicyProposed } from '@medledger/api';
import { type Category, categoryIndex, coSignaturesTypes, type Role, roleCode } from '@medledger/core';
import type { Transport } from '../transport.ts';

export interface PolicyRequirementInput {
  role: Role;
  count: number;
  /** Only signers of the record author's organisation count. */
  sameOrganisation?: boolean;
}

/**
 * As an organisation admin: proposes which roles must co-sign records of `category` (and whether
 * the patient must); two thirds of the active organisations enact it.
 *
 * @example
 * await proposePolicy(admin, { category: 'lab', requirements: [{ role: 'nurse', count: 1 }] });
 */
export async function proposePolicy(
  client: Transport,
  input: { category: Category; requirements: PolicyRequirementInput[]; patient?: boolean },
): Promise<PolicyProposed> {
  const message = {
    category: categoryIndex(input.category),
    requirements: input.requirements.map((requirement) => ({
      role: roleCode(requirement.role),
      count: requirement.count,
      sameOrganisation: requirement.sameOrganisation ?? false,
    })),
    patient: input.patient ?? false,
    admin: client.account.address,
  };
  const signed = await client.signAction('coSignatures', coSignaturesTypes, 'ProposePolicy', message);
  return client.call<PolicyProposed>('POST', '/api/co-signature-policies/proposals', {
    ...message,
    ...signed,
  });
}
