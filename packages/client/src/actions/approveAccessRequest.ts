import type { ConsentGranted } from '@medledger/api';
import { AccessDeniedError, ConflictError, type Sensitivity } from '@medledger/core';
import type { Transport } from '../transport.ts';
import { accessRequest } from './accessRequest.ts';
import { grantConsent } from './grantConsent.ts';

/**
 * As the patient: approves a pending request addressed to it with a grant of what was asked for.
 *
 * @example
 * await approveAccessRequest(patient, requestId, { expiresInSeconds: 3600 });
 */
export async function approveAccessRequest(
  client: Transport,
  requestId: number,
  input: { expiresInSeconds: number; maxSensitivity?: Sensitivity; purpose?: string; otp?: string },
): Promise<ConsentGranted> {
  const pending = await accessRequest(client, requestId);
  if (pending.patient.toLowerCase() !== client.address) {
    throw new AccessDeniedError(`Access request ${requestId} is addressed to another patient.`);
  }
  if (pending.status !== 'pending') {
    throw new ConflictError(`Access request ${requestId} is already ${pending.status}.`);
  }
  return grantConsent(client, {
    grantee: pending.requester,
    categories: pending.categories,
    actions: pending.actions,
    expiresInSeconds: input.expiresInSeconds,
    requestId,
    ...(input.maxSensitivity ? { maxSensitivity: input.maxSensitivity } : {}),
    ...(input.purpose ? { purpose: input.purpose } : {}),
    ...(input.otp ? { otp: input.otp } : {}),
  });
}
