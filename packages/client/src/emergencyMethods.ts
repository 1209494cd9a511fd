/**
 * The client's emergency access actions ("break the glass"), each signed on the caller's side:
 * privileges (organisation admins), declarations (privileged members), reviews (the member's
 * organisation admins) and the consortium's window. The justification goes to the gateway only;
 * the chain gets a salted hash of it.
 */

import type * as Api from '@medledger/api';
import {
  type EmergencyReason,
  type EmergencyVerdict,
  emergenciesTypes,
  emergencyReasonCode,
  emergencyVerdictCode,
  justificationHashOf,
  newJustificationSalt,
} from '@medledger/core';
import type { Address } from 'viem';
import type { ClientRequest, ClientSign } from './clientActions.ts';

export function emergencyMethods({
  request,
  sign,
  address,
}: {
  request: ClientRequest;
  sign: ClientSign;
  address: Address;
}) {
  return {
    /** As an organisation admin: gives a member of the organisation the emergency privilege, or takes it away. */
    async setEmergencyPrivilege(member: Address, privileged: boolean) {
      const signed = await sign('emergencies', emergenciesTypes, 'SetEmergencyPrivilege', {
        member,
        privileged,
        admin: address,
      });
      return request<Api.EmergencyPrivilegeSet>(
        'POST',
        `/api/members/${member.toLowerCase()}/emergency-privilege`,
        { admin: address, privileged, ...signed },
      );
    },

    /**
     * As a privileged member: declares an emergency for `patient`, opening its emergency set to you
     * for the consortium's window. Resolves once the declaration is in a block.
     */
    async declareEmergency(input: { patient: Address; reason: EmergencyReason; justification: string }) {
      const justificationSalt = newJustificationSalt();
      const message = {
        member: address,
        patient: input.patient,
        reasonCode: emergencyReasonCode(input.reason),
        justificationHash: justificationHashOf(justificationSalt, input.justification),
      };
      const signed = await sign('emergencies', emergenciesTypes, 'DeclareEmergency', message);
      return request<Api.Emergency>('POST', '/api/emergencies', {
        ...message,
        justification: input.justification,
        justificationSalt,
        ...signed,
      });
    },

    /** Emergencies you declared, on your record, and (as an admin) your organisation's; unreviewed first. */
    listEmergencies: (query: { unreviewedOnly?: boolean } = {}) =>
      request<Api.EmergencyList>(
        'GET',
        `/api/emergencies${query.unreviewedOnly ? '?status=unreviewed' : ''}`,
      ),

    emergency: (emergencyId: number) => request<Api.Emergency>('GET', `/api/emergencies/${emergencyId}`),

    /** As an admin of the member's organisation: judges an emergency (unjustified closes it at once). */
    async reviewEmergency(emergencyId: number, verdict: Exclude<EmergencyVerdict, 'pending'>) {
      const message = {
        emergencyId: BigInt(emergencyId),
        verdict: emergencyVerdictCode(verdict),
        reviewer: address,
      };
      const signed = await sign('emergencies', emergenciesTypes, 'ReviewEmergency', message);
      return request<Api.Emergency>('POST', `/api/emergencies/${emergencyId}/review`, {
        reviewer: address,
        verdict: message.verdict,
        ...signed,
      });
    },

    emergencyWindow: () => request<Api.EmergencyWindow>('GET', '/api/emergency-window', undefined, false),

    /** As an admin: proposes the emergency window; two thirds of the active organisations enact it. */
    async proposeEmergencyWindow(windowSeconds: number) {
      const signed = await sign('emergencies', emergenciesTypes, 'ProposeEmergencyWindow', {
        windowSeconds: BigInt(windowSeconds),
        admin: address,
      });
      return request<Api.EmergencyWindowVote>('POST', '/api/emergency-window/proposals', {
        windowSeconds,
        admin: address,
        ...signed,
      });
    },

    async approveEmergencyWindow(proposalId: number) {
      const signed = await sign('emergencies', emergenciesTypes, 'ApproveEmergencyWindow', {
        proposalId: BigInt(proposalId),
        approver: address,
      });
      return request<Api.EmergencyWindowVote>(
        'POST',
        `/api/emergency-window/proposals/${proposalId}/approvals`,
        { approver: address, ...signed },
      );
    },
  };
}
