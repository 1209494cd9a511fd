/**
 * The directory of people: what each address is, for anyone signed in. Staff are told with the public
 * profile their admin set on chain, their role and organisation (staff names are not health data); a
 * patient is only said to be a patient, never named; a delegate's patient is told only to that patient
 * and to the delegate itself.
 */
import type { DirectoryEntry, DirectoryLookup, DirectoryLookupBody } from '@medledger/api';
import { type ActorDescription, actorLabel, organisationKindOfCode, roleOfCode } from '@medledger/core';
import type { Address } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import type { OrganisationRow } from '../store/chainIndexStore.ts';
import { knownName } from './vocabularyCodes.ts';

/** Each distinct address asked about, in the order asked, with its kind, what may be told of it and its label. */
export async function lookUpDirectory(
  services: GatewayServices,
  session: Session,
  input: DirectoryLookupBody,
): Promise<DirectoryLookup> {
  const addresses = [...new Set(input.addresses.map((address) => address.toLowerCase() as Address))];
  const organisations = new Map<number, DirectoryEntry['organisation']>();
  let relayers: Map<string, OrganisationRow> | undefined;

  async function organisationOf(row: OrganisationRow | undefined) {
    if (!row) return undefined;
    if (!organisations.has(row.organisationId)) {
      organisations.set(row.organisationId, {
        id: row.organisationId,
        name: row.name,
        kind: knownName(organisationKindOfCode(row.kind), 'organisation kind', row.kind),
      });
    }
    return organisations.get(row.organisationId);
  }

  /** The organisations' gateway relayers, read from the chain once per lookup that needs them. */
  async function relayerOrganisations(): Promise<Map<string, OrganisationRow>> {
    if (!relayers) {
      relayers = new Map();
      for (const row of await services.store.organisations()) {
        const relayer = await services.ledger.read('consortium', 'gatewayRelayerOf', [row.organisationId]);
        if (BigInt(relayer) !== 0n) relayers.set(relayer.toLowerCase(), row);
      }
    }
    return relayers;
  }

  async function describe(address: Address): Promise<ActorDescription & DirectoryEntry> {
    const member = await services.store.member(address);
    if (member) {
      const profile = await services.store.memberProfile(address);
      return {
        address,
        kind: 'member',
        ...(profile ? { displayName: profile.name } : {}),
        ...(profile?.title ? { title: profile.title } : {}),
        ...(profile?.department ? { department: profile.department } : {}),
        role: knownName(roleOfCode(member.role), 'role', member.role),
        ...withOrganisation(await organisationOf(await services.store.organisation(member.organisationId))),
        label: '',
      };
    }
    if (await services.store.patient(address)) return { address, kind: 'patient', label: '' };
    const delegations = await services.store.delegationsTo(address);
    if (delegations.length) {
      const me = session.address.toLowerCase();
      const told =
        me === address
          ? (delegations.find((row) => row.active) ?? delegations[0])
          : delegations.find((row) => row.patient.toLowerCase() === me);
      return { address, kind: 'delegate', ...(told ? { delegateOf: lower(told.patient) } : {}), label: '' };
    }
    const gatewayOf = (await relayerOrganisations()).get(address);
    if (gatewayOf) {
      return {
        address,
        kind: 'organisation-gateway',
        ...withOrganisation(await organisationOf(gatewayOf)),
        label: '',
      };
    }
    return { address, kind: 'unknown', label: '' };
  }

  const entries: DirectoryEntry[] = [];
  for (const address of addresses) {
    const entry = await describe(address);
    entries.push({ ...entry, label: actorLabel(entry) });
  }
  return { entries };
}

function withOrganisation(organisation: DirectoryEntry['organisation']) {
  return organisation ? { organisation } : {};
}

function lower(address: string): Address {
  return address.toLowerCase() as Address;
}
