import type { ConsentRevoked } from '@medledger/api';
import { consentsTypes } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * As the patient: revokes a grant; resolves once the revocation is in a block.
 *
 * @example
 * await revokeConsent(patient, grantId);
 */
export async function revokeConsent(client: Transport, grantId: number): Promise<ConsentRevoked> {
  const patient = client.account.address;
  const signed = await client.signAction('consents', consentsTypes, 'Revoke', {
    patient,
    grantId: BigInt(grantId),
  });
  return client.call<ConsentRevoked>('POST', `/api/consents/${grantId}/revocation`, { patient, ...signed });
}
