import { consentsTypes } from '@medledger/core';
import type { SignedAction, Transport } from './transport.ts';

/**
 * The patient's signed rule that the chain take its grants from its home gateway only (`enabled`),
 * or the lifting of it; for the second factor's actions.
 */
export async function signHomeRelay(client: Transport, enabled: boolean): Promise<SignedAction> {
  return client.signAction('consents', consentsTypes, 'SetHomeRelayOnly', {
    patient: client.account.address,
    enabled,
  });
}
