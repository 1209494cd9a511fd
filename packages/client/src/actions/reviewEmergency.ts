import type { Emergency } from '@medledger/api';
import { type EmergencyVerdict, emergenciesTypes, emergencyVerdictCode } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * As an admin of the member's organisation: judges an emergency (unjustified closes it at once).
 *
 * @example
 * await reviewEmergency(admin, emergencyId, 'justified');
 */
export async function reviewEmergency(
  client: Transport,
  emergencyId: number,
  verdict: Exclude<EmergencyVerdict, 'pending'>,
): Promise<Emergency> {
  const message = {
    emergencyId: BigInt(emergencyId),
    verdict: emergencyVerdictCode(verdict),
    reviewer: client.account.address,
  };
  const signed = await client.signAction('emergencies', emergenciesTypes, 'ReviewEmergency', message);
  return client.call<Emergency>('POST', `/api/emergencies/${emergencyId}/review`, {
    reviewer: message.reviewer,
    verdict: message.verdict,
    ...signed,
  });
}
