import type { AccessRequestDenied } from '@medledger/api';
import { consentsTypes } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * As the patient: denies a pending access request; resolves once the denial is in a block.
 *
 * @example
 * await denyAccessRequest(patient, requestId);
 */
export async function denyAccessRequest(client: Transport, requestId: number): Promise<AccessRequestDenied> {
  const patient = client.account.address;
  const signed = await client.signAction('consents', consentsTypes, 'DenyRequest', {
    patient,
    requestId: BigInt(requestId),
  });
  return client.call<AccessRequestDenied>('POST', `/api/access-requests/${requestId}/denial`, {
    patient,
    ...signed,
  });
}
