import type { EmergencyList } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * Emergencies you declared, on your record, and (as an admin) your organisation's; unreviewed first.
 *
 * @example
 * const { emergencies } = await listEmergencies(admin, { unreviewedOnly: true });
 */
export function listEmergencies(
  client: Transport,
  query: { unreviewedOnly?: boolean } = {},
): Promise<EmergencyList> {
  return client.call<EmergencyList>(
    'GET',
    `/api/emergencies${query.unreviewedOnly ? '?status=unreviewed' : ''}`,
  );
}
