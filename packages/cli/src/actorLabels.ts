/**
 * Names for the addresses a command prints ("Dr Ana Silva (doctor, St Mary)"), from one directory
 * lookup per command. With --json nothing is looked up: the JSON keeps the raw addresses.
 */
import type { GatewayClient } from '@medledger/client';
import type { OutputOptions } from './output.ts';

/** How a command names an address in its human output. */
export type NameOf = (address: string | null | undefined) => string;

/**
 * One lookup of every address in `addresses` (nulls skipped); answers a function giving the label of
 * each address that names someone (a member with a profile, a gateway). Any other address (a patient,
 * a member without a profile, an unknown one) stays the full address, which a person can copy into the
 * next command.
 *
 * @example
 * const name = await actorLabels(client, events.map((e) => e.actor), globalOptions(command));
 * events.map((e) => `${e.action} by ${name(e.actor)}`);
 */
export async function actorLabels(
  client: GatewayClient,
  addresses: readonly (string | null | undefined)[],
  options: OutputOptions,
): Promise<NameOf> {
  const wanted = addresses.filter(
    (address): address is string => !!address && /^0x[0-9a-fA-F]{40}$/.test(address),
  );
  const labels = new Map<string, string>();
  if (!options.json && wanted.length) {
    for (const entry of await client.lookupDirectory(wanted)) {
      if (entry.displayName || entry.kind === 'organisation-gateway') {
        labels.set(entry.address.toLowerCase(), entry.label);
      }
    }
  }
  return (address) => (address ? (labels.get(address.toLowerCase()) ?? address) : '');
}
