import type { AuditEventList } from '@medledger/api';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * The access events this identity may see: its own record's (as a patient), or an organisation's
 * (as its admin); with `outcome`, only the allowed or only the refused (`denied`) ones.
 *
 * @example
 * const { events } = await audit(patient, { patient: patient.address, outcome: 'denied' });
 */
export function audit(
  client: Transport,
  query: { patient?: Address; organisation?: number; outcome?: 'allowed' | 'denied' } = {},
): Promise<AuditEventList> {
  const params = new URLSearchParams();
  if (query.patient) params.set('patient', query.patient.toLowerCase());
  if (query.organisation) params.set('organisation', String(query.organisation));
  if (query.outcome) params.set('outcome', query.outcome);
  return client.call<AuditEventList>('GET', `/api/audit?${params}`);
}
