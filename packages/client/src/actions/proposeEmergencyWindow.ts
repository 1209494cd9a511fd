import type { EmergencyWindowVote } from '@medledger/api';
import { emergenciesTypes } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * As an admin: proposes the emergency window; two thirds of the active organisations enact it.
 *
 * @example
 * const { proposalId } = await proposeEmergencyWindow(admin, 3600);
 */
export async function proposeEmergencyWindow(
  client: Transport,
  windowSeconds: number,
): Promise<EmergencyWindowVote> {
  const admin = client.account.address;
  const signed = await client.signAction('emergencies', emergenciesTypes, 'ProposeEmergencyWindow', {
    windowSeconds: BigInt(windowSeconds),
    admin,
  });
  return client.call<EmergencyWindowVote>('POST', '/api/emergency-window/proposals', {
    windowSeconds,
    admin,
    ...signed,
  });
}
