/**
 * Blobs are content-addressed, so any gateway can serve any blob: a gateway that lacks one asks
 * its peers (the other organisations' gateways, as published on chain) and keeps the first copy
 * whose bytes match the CID. A copy that does not match is refused and the next peer is asked.
 *
 * A peer is asked with `x-medledger-peer: 1`, and a request carrying it is answered from local
 * storage only, so two gateways that both lack a blob never ask each other in a loop. Reads of one
 * missing blob at once (a client's and the background queue's) share one search of the peers.
 *
 * The blob of an erased record (`isErased`) is neither stored, served nor fetched: asking for it
 * answers `GoneError` (HTTP 410 to a peer), and a copy a peer was sending when the erasure was indexed
 * is dropped, not kept.
 */
import { cidOf, GoneError, NotFoundError, verifyCid } from '@medledger/core';
import type { BlobStore } from './blobStore.ts';

export const peerRequestHeader = 'x-medledger-peer';

export interface ReplicatingBlobStoreOptions {
  local: BlobStore;
  /** Base URLs of the peer gateways, asked in this order. */
  peers: () => Promise<string[]>;
  timeoutMs?: number;
  /** Told about every copy a peer served that did not match its CID. */
  onRejectedCopy?: (peer: string, cid: string) => void;
  /** True if `cid` is an erased record's blob (see the class's comment). */
  isErased?: (cid: string) => Promise<boolean>;
}

/**
 * Fetches blobs this gateway lacks in the background, a few at a time; a blob no peer holds yet is
 * left for the next read to fetch.
 */
export function createReplicationQueue(store: BlobStore, concurrency = 4) {
  const waiting: string[] = [];
  let active = 0;
  let stopped = false;
  let idle: (() => void) | undefined;
  const pump = () => {
    if (!active && (stopped || !waiting.length)) idle?.();
    while (!stopped && active < concurrency && waiting.length) {
      const cid = waiting.shift() as string;
      active += 1;
      store
        .has(cid)
        .then((held) => (held ? undefined : store.get(cid)))
        .catch(() => undefined)
        .finally(() => {
          active -= 1;
          pump();
        });
    }
  };
  return {
    add(cids: string[]) {
      waiting.push(...cids);
      pump();
    },
    /** Drops what waits and resolves once no copy is being written (the gateway is stopping). */
    stop(): Promise<void> {
      stopped = true;
      waiting.length = 0;
      if (!active) return Promise.resolve();
      return new Promise((resolve) => {
        idle = resolve;
      });
    },
  };
}

export class ReplicatingBlobStore implements BlobStore {
  readonly #options: ReplicatingBlobStoreOptions;
  /** Peer searches under way, by CID: a read and the background queue share one. */
  readonly #fetching = new Map<string, Promise<Uint8Array>>();

  constructor(options: ReplicatingBlobStoreOptions) {
    this.#options = options;
  }

  async put(bytes: Uint8Array): Promise<string> {
    await this.#refuseErased(cidOf(bytes));
    return this.#options.local.put(bytes);
  }

  async has(cid: string): Promise<boolean> {
    if (await this.#options.isErased?.(cid)) return false;
    return this.#options.local.has(cid);
  }

  delete(cid: string): Promise<void> {
    return this.#options.local.delete(cid);
  }

  async get(cid: string, options: { localOnly?: boolean } = {}): Promise<Uint8Array> {
    await this.#refuseErased(cid);
    try {
      return await this.#options.local.get(cid);
    } catch (error) {
      if (!(error instanceof NotFoundError) || options.localOnly) throw error;
    }
    let fetching = this.#fetching.get(cid);
    if (!fetching) {
      fetching = this.#fromPeers(cid).finally(() => this.#fetching.delete(cid));
      this.#fetching.set(cid, fetching);
    }
    return fetching;
  }

  async #fromPeers(cid: string): Promise<Uint8Array> {
    // A search that ended while this read missed has stored its copy by now.
    if (await this.#options.local.has(cid)) return this.#options.local.get(cid);
    for (const peer of await this.#options.peers()) {
      const bytes = await this.#fetchFrom(peer, cid);
      if (!bytes) continue;
      if (!verifyCid(cid, bytes)) {
        this.#options.onRejectedCopy?.(peer, cid);
        continue;
      }
      // The erasure may have been indexed while the copy was on its way.
      await this.#refuseErased(cid);
      await this.#options.local.put(bytes);
      return bytes;
    }
    throw new NotFoundError(`No blob ${cid} here, and no peer gateway holds an intact copy.`);
  }

  async #refuseErased(cid: string): Promise<void> {
    if (await this.#options.isErased?.(cid)) {
      throw new GoneError(`Blob ${cid} belongs to an erased record: it was destroyed.`, {
        reason: 'record_erased',
      });
    }
  }

  async #fetchFrom(peer: string, cid: string): Promise<Uint8Array | undefined> {
    try {
      const response = await fetch(`${peer.replace(/\/+$/, '')}/api/blobs/${cid}`, {
        headers: { [peerRequestHeader]: '1' },
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5_000),
      });
      if (!response.ok) return undefined;
      return new Uint8Array(await response.arrayBuffer());
    } catch {
      return undefined;
    }
  }
}
