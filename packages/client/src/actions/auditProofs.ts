import type { AuditTrailProofs } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * This identity's access history at this gateway, with proofs against the anchored batches.
 *
 * @example
 * const { events, organisationId } = await auditProofs(patient);
 */
export function auditProofs(client: Transport): Promise<AuditTrailProofs> {
  return client.call<AuditTrailProofs>('GET', '/api/audit/proofs');
}
