import type { OrganisationCreated } from '@medledger/api';
import { consortiumTypes, type OrganisationKind, organisationKindCode } from '@medledger/core';
import type { Transport } from '../transport.ts';
import { publishGateway } from './publishGateway.ts';

/**
 * Proposes an organisation with this identity as its admin, hosted at this gateway (its custodian
 * key is this gateway's). The first one founds the consortium and is active at once; a later one
 * waits for the approval of two thirds of the active organisations (`approveOrganisation`).
 *
 * @example
 * const { organisationId, status } = await createOrganisation(admin, { name: 'St Mary', kind: 'hospital' });
 */
export async function createOrganisation(
  client: Transport,
  input: { name: string; kind: OrganisationKind; gatewayUrl?: string },
): Promise<OrganisationCreated> {
  const info = await client.ledger();
  const message = {
    name: input.name,
    kind: organisationKindCode(input.kind),
    admin: client.account.address,
    encryptionKey: info.custodian.encryptionKey,
    gatewayUrl: input.gatewayUrl ?? client.url,
  };
  const signed = await client.signAction('consortium', consortiumTypes, 'ProposeOrganisation', message);
  const created = await client.call<OrganisationCreated>('POST', '/api/organisations', {
    ...message,
    ...signed,
  });
  // A founding organisation is active at once and publishes its gateway straight away; one that
  // joins does so once approved (`publishGateway`).
  if (created.status === 'active') {
    await publishGateway(client, created.organisationId, { gatewayUrl: message.gatewayUrl });
  }
  return created;
}
