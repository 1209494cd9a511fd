import type { OrganisationList } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * The consortium's organisations (public: no sign-in).
 *
 * @example
 * const { organisations } = await organisations(client);
 */
export function organisations(client: Transport): Promise<OrganisationList> {
  return client.call<OrganisationList>('GET', '/api/organisations', undefined, false);
}
