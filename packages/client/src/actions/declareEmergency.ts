import type { Emergency } from '@medledger/api';
import {
  type EmergencyReason,
  emergenciesTypes,
  emergencyReasonCode,
  justificationHashOf,
  newJustificationSalt,
} from '@medledger/core';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * As a privileged member: declares an emergency for `patient`, opening its emergency set to you for
 * the consortium's window. The justification goes to the gateway only; the chain gets a salted hash
 * of it. Resolves once the declaration is in a block.
 *
 * @example
 * const { emergencyId } = await declareEmergency(doctor, { patient, reason: 'unconscious', justification: 'ER admission' });
 */
export async function declareEmergency(
  client: Transport,
  input: { patient: Address; reason: EmergencyReason; justification: string },
): Promise<Emergency> {
  const justificationSalt = newJustificationSalt();
  const message = {
    member: client.account.address,
    patient: input.patient,
    reasonCode: emergencyReasonCode(input.reason),
    justificationHash: justificationHashOf(justificationSalt, input.justification),
  };
  const signed = await client.signAction('emergencies', emergenciesTypes, 'DeclareEmergency', message);
  return client.call<Emergency>('POST', '/api/emergencies', {
    ...message,
    justification: input.justification,
    justificationSalt,
    ...signed,
  });
}
