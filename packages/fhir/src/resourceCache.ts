/**
 * Decrypted resources kept in memory (never on disk), by record id, as their JSON text: a record
 * never changes once anchored, so a resource read once needs no second decryption. Bounded by the
 * total length of the texts kept; the least recently used go first. Whether the user may still see
 * a record is decided by each request's listing at the gateway, never by this cache.
 */

export interface ResourceCache {
  get(recordId: string): string | undefined;
  set(recordId: string, json: string): void;
  /** Characters held now. */
  readonly size: number;
}

/** 64 Mi characters of JSON (about 128 MiB of memory) by default. */
export const defaultCacheCharacters = 64 * 1024 * 1024;

/**
 * @example
 * const cache = createResourceCache(16 * 1024 * 1024);
 * cache.set(recordId, JSON.stringify(resource));
 */
export function createResourceCache(maxCharacters: number = defaultCacheCharacters): ResourceCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, string>();
  let size = 0;
  return {
    get(recordId) {
      const json = entries.get(recordId);
      if (json !== undefined) {
        entries.delete(recordId);
        entries.set(recordId, json);
      }
      return json;
    },
    set(recordId, json) {
      if (json.length > maxCharacters) return;
      const previous = entries.get(recordId);
      if (previous !== undefined) {
        size -= previous.length;
        entries.delete(recordId);
      }
      entries.set(recordId, json);
      size += json.length;
      for (const [oldest, text] of entries) {
        if (size <= maxCharacters) break;
        entries.delete(oldest);
        size -= text.length;
      }
    },
    get size() {
      return size;
    },
  };
}
