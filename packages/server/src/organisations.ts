/** Which organisations a gateway serves and which gateways are its peers, from the chain's index. */
import type { OrganisationRow } from './store/gatewayStore.ts';

/** The active organisation this gateway serves: the first whose encryption key is its custodian key. */
export function hostedOrganisation(
  organisations: OrganisationRow[],
  custodianKey: string,
): number | undefined {
  return organisations.find(
    (organisation) =>
      organisation.active && organisation.encryptionKey.toLowerCase() === custodianKey.toLowerCase(),
  )?.organisationId;
}

/** Every active organisation this gateway serves (whose encryption key is its custodian key). */
export function hostedOrganisations(organisations: OrganisationRow[], custodianKey: string): number[] {
  return organisations
    .filter(
      (organisation) =>
        organisation.active && organisation.encryptionKey.toLowerCase() === custodianKey.toLowerCase(),
    )
    .map((organisation) => organisation.organisationId);
}

/** The other organisations' gateways, as published on chain, without this one. */
export function peerGateways(organisations: OrganisationRow[], ownUrl: string): string[] {
  const own = ownUrl.replace(/\/+$/, '');
  const urls = organisations
    .filter((organisation) => organisation.active && /^https?:\/\//.test(organisation.gatewayUrl))
    .map((organisation) => organisation.gatewayUrl.replace(/\/+$/, ''));
  return [...new Set(urls)].filter((url) => url !== own);
}
