/**
 * The directory of people for the screens: `AddressText` asks it what an address is; the addresses
 * rendered in one tick go to the gateway in one lookup (`POST /api/directory/lookup`), and the answers
 * are kept for the session (a new session, a new provider, a new cache).
 */
import type { DirectoryEntry } from '@medledger/client';
import { shortAddress } from '@medledger/core';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useSyncExternalStore,
} from 'react';

/** What the directory needs of the session's client. */
export interface DirectoryLookup {
  lookupDirectory(addresses: readonly string[]): Promise<DirectoryEntry[]>;
}

/** The session's cache of directory entries, filled in batches. */
export interface Directory {
  /** The entry of `address`, once looked up; null if the lookup failed. */
  entry(address: string): DirectoryEntry | null | undefined;
  /** Asks for `address` in the next batch, unless known or asked already. */
  request(address: string): void;
  /** Drops what is known of `address` (its profile just changed): it is asked again where shown. */
  forget(address: string): void;
  subscribe(listener: () => void): () => void;
  /** Grows each time entries arrive or are forgotten. */
  version(): number;
}

export function createDirectory(client: DirectoryLookup): Directory {
  const entries = new Map<string, DirectoryEntry | null>();
  const pending = new Set<string>();
  const listeners = new Set<() => void>();
  let scheduled = false;
  let version = 0;
  const notify = () => {
    version++;
    for (const listener of listeners) listener();
  };

  async function flush() {
    scheduled = false;
    const batch = [...pending];
    pending.clear();
    try {
      const found = await client.lookupDirectory(batch);
      for (const entry of found) entries.set(entry.address.toLowerCase(), entry);
      for (const address of batch) if (!entries.has(address)) entries.set(address, null);
    } catch {
      // Without the directory an address is shown as an address; it is not asked again this session.
      for (const address of batch) entries.set(address, null);
    }
    notify();
  }

  return {
    entry: (address) => entries.get(address.toLowerCase()),
    request(address) {
      const key = address.toLowerCase();
      if (entries.has(key) || pending.has(key) || !/^0x[0-9a-f]{40}$/.test(key)) return;
      pending.add(key);
      if (!scheduled) {
        scheduled = true;
        setTimeout(() => void flush(), 0);
      }
    },
    forget(address) {
      entries.delete(address.toLowerCase());
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    version: () => version,
  };
}

const DirectoryContext = createContext<Directory | undefined>(undefined);

/** Provides the signed-in session's directory to every `AddressText` below it. */
export function DirectoryProvider(props: { client: DirectoryLookup; children: ReactNode }) {
  const directory = useMemo(() => createDirectory(props.client), [props.client]);
  return <DirectoryContext.Provider value={directory}>{props.children}</DirectoryContext.Provider>;
}

/** The session's directory (undefined outside a `DirectoryProvider`). */
export function useDirectory(): Directory | undefined {
  return useContext(DirectoryContext);
}

/** The directory's entry of `address` (undefined until looked up, or outside a `DirectoryProvider`). */
export function useDirectoryEntry(address: string): DirectoryEntry | undefined {
  const directory = useContext(DirectoryContext);
  const entry = useSyncExternalStore(
    (listener) => directory?.subscribe(listener) ?? (() => undefined),
    () => directory?.entry(address),
  );
  useEffect(() => {
    if (entry === undefined) directory?.request(address);
  }, [directory, address, entry]);
  return entry ?? undefined;
}

/**
 * The words shown for an address: the directory's label of a member or a gateway, else the short
 * address (a patient is never named: its address says more to those who care for it than "a patient").
 */
export function shownName(address: string, entry: DirectoryEntry | null | undefined): string {
  return entry && (entry.kind === 'member' || entry.kind === 'organisation-gateway')
    ? entry.label
    : shortAddress(address);
}

const isAddress = (value: unknown): value is string =>
  typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value);

/**
 * For text built from many addresses (notifications): asks the directory about `addresses` and answers
 * a function naming any value (an address by `shownName`, anything else as text).
 */
export function useAddressNames(addresses: readonly unknown[]): (value: unknown) => string {
  const directory = useContext(DirectoryContext);
  const wanted = [...new Set(addresses.filter(isAddress).map((address) => address.toLowerCase()))]
    .sort()
    .join(',');
  const version = useSyncExternalStore(
    (listener) => directory?.subscribe(listener) ?? (() => undefined),
    () => directory?.version() ?? 0,
  );
  useEffect(() => {
    for (const address of wanted.split(',')) if (address) directory?.request(address);
  }, [directory, wanted]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` renames once entries arrive.
  return useCallback(
    (value: unknown) => (isAddress(value) ? shownName(value, directory?.entry(value)) : String(value)),
    [directory, version],
  );
}
