/**
 * Multi-signature stamps from the client's side: co-signing a record (after reading and checking it),
 * a record's stamp, and the consortium's co-signature policies.
 */

import type * as Api from '@medledger/api';
import type {
  CoSignaturePolicies,
  CoSignaturePolicyProposals,
  PolicyApproved,
  PolicyProposed,
  RecordStamp,
} from '@medledger/api';
import {
  type Category,
  categoryIndex,
  coSignaturesTypes,
  ledgerDomain,
  type Role,
  roleCode,
} from '@medledger/core';
import type { Hex } from 'viem';
import type { ClientActionContext } from './clientActions.ts';

export interface PolicyRequirementInput {
  role: Role;
  count: number;
  /** Only signers of the record author's organisation count. */
  sameOrganisation?: boolean;
}

export function coSignatureActions(
  { request, sign, ledger, account }: ClientActionContext,
  readRecord: (recordId: Hex, purpose?: string) => Promise<{ record: Api.RecordMetadata }>,
) {
  return {
    /**
     * Co-signs a record: reads and checks it first (the co-signer can open it, and its envelope
     * matches the anchored digest), then signs its id and content digest; resolves once the
     * co-signature is in a block.
     */
    async coSignRecord(recordId: Hex): Promise<Api.CoSigned> {
      const [{ record }, info] = await Promise.all([readRecord(recordId, 'COSIGN'), ledger()]);
      const signature = await account.signTypedData({
        domain: ledgerDomain('coSignatures', info.chainId, info.contracts.coSignatures),
        types: coSignaturesTypes,
        primaryType: 'CoSignature',
        message: { recordId: record.recordId, contentDigest: record.contentDigest, signer: account.address },
      });
      return request<Api.CoSigned>('POST', `/api/records/${record.recordId.toLowerCase()}/co-signatures`, {
        signer: account.address,
        signature,
      });
    },

    /** A record's stamp: final or draft, and who signed it. */
    stamp: (recordId: Hex) => request<RecordStamp>('GET', `/api/records/${recordId}/stamp`),

    policies: () => request<CoSignaturePolicies>('GET', '/api/co-signature-policies', undefined, false),

    policyProposals: () =>
      request<CoSignaturePolicyProposals>('GET', '/api/co-signature-policies/proposals', undefined, false),

    /** Proposes, as an organisation admin, which roles must co-sign records of `category`. */
    async proposePolicy(input: {
      category: Category;
      requirements: PolicyRequirementInput[];
      patient?: boolean;
    }) {
      const message = {
        category: categoryIndex(input.category),
        requirements: input.requirements.map((requirement) => ({
          role: roleCode(requirement.role),
          count: requirement.count,
          sameOrganisation: requirement.sameOrganisation ?? false,
        })),
        patient: input.patient ?? false,
        admin: account.address,
      };
      const signed = await sign('coSignatures', coSignaturesTypes, 'ProposePolicy', message);
      return request<PolicyProposed>('POST', '/api/co-signature-policies/proposals', {
        ...message,
        ...signed,
      });
    },

    async approvePolicy(proposalId: number) {
      const signed = await sign('coSignatures', coSignaturesTypes, 'ApprovePolicy', {
        proposalId: BigInt(proposalId),
        approver: account.address,
      });
      return request<PolicyApproved>('POST', `/api/co-signature-policies/proposals/${proposalId}/approvals`, {
        approver: account.address,
        ...signed,
      });
    },
  };
}
