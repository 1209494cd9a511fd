import type { ConsortiumVotes } from '@medledger/api';
import type { Transport } from '../transport.ts';

export type { ConsortiumVotes };

/**
 * What the consortium's admins are voting on now (organisations waiting to join; custody, emergency
 * window and author erasure window proposals), each with its votes so far and the votes it needs
 * (public: no sign-in).
 *
 * @example
 * const { custody } = await consortiumVotes(client);
 * for (const p of custody) console.log(`custody #${p.proposalId}: ${p.approvals} of ${p.needed} needed`);
 */
export function consortiumVotes(client: Transport): Promise<ConsortiumVotes> {
  return client.call<ConsortiumVotes>('GET', '/api/consortium/votes', undefined, false);
}
