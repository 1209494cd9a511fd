import type { GatewayPublished } from '@medledger/api';
import { consortiumTypes } from '@medledger/core';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

/**
 * Publishes on chain, as the organisation's admin, where its gateway is and which account it relays
 * with (by default this gateway's), so that peers find it and it may anchor audit batches.
 *
 * @example
 * await publishGateway(admin, organisationId);
 */
export async function publishGateway(
  client: Transport,
  organisationId: number,
  input: { gatewayUrl?: string; relayer?: Address } = {},
): Promise<GatewayPublished> {
  const info = await client.ledger();
  const message = {
    organisationId,
    gatewayUrl: input.gatewayUrl ?? client.url,
    relayer: input.relayer ?? info.relayer,
    admin: client.account.address,
  };
  const signed = await client.signAction('consortium', consortiumTypes, 'SetGateway', message);
  return client.call<GatewayPublished>('POST', `/api/organisations/${organisationId}/gateway`, {
    gatewayUrl: message.gatewayUrl,
    relayer: message.relayer,
    admin: message.admin,
    ...signed,
  });
}
