import type { ConsentList } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * The grants this identity gave (as a patient) or holds (as a member).
 *
 * @example
 * const { given, received } = await listConsents(patient);
 */
export function listConsents(client: Transport): Promise<ConsentList> {
  return client.call<ConsentList>('GET', '/api/consents');
}
