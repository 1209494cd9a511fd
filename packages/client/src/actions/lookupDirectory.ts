import { type DirectoryEntry, type DirectoryLookup, maxDirectoryLookup } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * What each address is and the label to show for it (`actorLabel` of the core), one entry per distinct
 * address in the order given; asks in batches of at most 200 addresses. A patient is never named.
 *
 * @example
 * const [author] = await lookupDirectory(client, [record.author]);
 * console.log(author.label); // 'Dr Ana Silva (doctor, St Mary)'
 */
export async function lookupDirectory(
  client: Transport,
  addresses: readonly string[],
): Promise<DirectoryEntry[]> {
  const distinct = [...new Set(addresses.map((address) => address.toLowerCase()))];
  const entries: DirectoryEntry[] = [];
  for (let start = 0; start < distinct.length; start += maxDirectoryLookup) {
    const batch = distinct.slice(start, start + maxDirectoryLookup);
    const found = await client.call<DirectoryLookup>('POST', '/api/directory/lookup', { addresses: batch });
    entries.push(...found.entries);
  }
  return entries;
}
