import type { CoSignaturePolicyProposals } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * The co-signature policies proposed and not enacted yet (public: no sign-in).
 *
 * @example
 * const { proposals } = await policyProposals(client);
 */
export function policyProposals(client: Transport): Promise<CoSignaturePolicyProposals> {
  return client.call<CoSignaturePolicyProposals>(
    'GET',
    '/api/co-signature-policies/proposals',
    undefined,
    false,
  );
}
