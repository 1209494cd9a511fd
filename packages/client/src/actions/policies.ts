import type { CoSignaturePolicies } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * The consortium's co-signature policies in force, by category (public: no sign-in).
 *
 * @example
 * const { policies: inForce } = await policies(client);
 */
export function policies(client: Transport): Promise<CoSignaturePolicies> {
  return client.call<CoSignaturePolicies>('GET', '/api/co-signature-policies', undefined, false);
}
