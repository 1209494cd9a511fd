/**
 * How the processes that share one gateway store stay out of each other's way.
 *
 * SQLite is the embedded default and has one process: its coordination is in-process. On
 * PostgreSQL, several gateway processes of one organisation share the store behind one address,
 * and this is what keeps them correct:
 *
 * - **Process identity and liveness.** Each process registers a row in `gateway_processes` and holds
 *   a session-level advisory lock named by its id for as long as it lives; PostgreSQL releases the
 *   lock when the process or its connection dies. So "is process N alive" is answered by the
 *   database itself, with no heartbeats to tune: the relay journal hands a dead process's unsent
 *   actions to a live one (see `SqlActionJournal.pending`).
 * - **Named locks.** One process at a time sends the relayer's transactions (`relay`: the nonce is
 *   read from the chain under it), re-applies the journal (`recovery`), writes the chain index
 *   (`index`), follows emergencies and notifications (`follow`), anchors the audit log
 *   (`audit-anchor`), audits emergencies (`emergency-watch`) and alerts patients of refused access
 *   (`refusal-alerts`). Each work re-reads its cursor
 *   under its lock, so whichever process runs next continues where the last one stopped.
 * - **Announcements.** A process that stored notifications announces it (`NOTIFY`); every process
 *   then hands the new ones, in id order, to its own live streams.
 */
import { hostname } from 'node:os';
import { LedgerUnavailableError } from '@medledger/core';
import pg from 'pg';
import type { SqlDatabase } from './sqlDatabase.ts';

export type LockName =
  | 'relay'
  | 'recovery'
  | 'index'
  | 'follow'
  | 'audit-anchor'
  | 'emergency-watch'
  | 'refusal-alerts';

export type Channel = 'notifications';

export interface Coordination {
  /** This process's id, unique over the life of the store (changes if the process re-registers). */
  processId(): number;
  /** Whether the process `processId` still runs on this store. */
  isAlive(processId: number): Promise<boolean>;
  /** Runs `work` while no other process of the store holds `lock`. */
  exclusive<T>(lock: LockName, work: () => Promise<T>): Promise<T>;
  /** Tells every process of the store (this one included) that `channel` has news. */
  announce(channel: Channel): Promise<void>;
  /** Calls `listener` on each announcement on `channel`; returns the unsubscribe. */
  onAnnouncement(channel: Channel, listener: () => void): () => void;
  close(): Promise<void>;
}

const lockNames: readonly LockName[] = [
  'relay',
  'recovery',
  'index',
  'follow',
  'audit-anchor',
  'emergency-watch',
  'refusal-alerts',
];

/** Advisory lock classes (PostgreSQL's two-key form): "ml" for named locks, "mp" for processes. */
const namedLockClass = 0x6d6c;
const processLockClass = 0x6d70;

/** Registers this process in `gateway_processes`; resolves with its id. */
async function registerProcess(database: SqlDatabase): Promise<number> {
  const row = await database.get(
    'INSERT INTO gateway_processes (started_at, host, pid) VALUES ($at, $host, $pid) RETURNING id',
    { at: Date.now(), host: hostname(), pid: process.pid },
  );
  return Number(row?.id);
}

/** Listeners by channel, called on the next turn of the event loop. */
function createAnnouncements() {
  const listeners = new Map<Channel, Set<() => void>>();
  return {
    deliver(channel: Channel) {
      for (const listener of listeners.get(channel) ?? []) queueMicrotask(listener);
    },
    subscribe(channel: Channel, listener: () => void) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(listener);
      return () => void set.delete(listener);
    },
  };
}

/** The one process of an SQLite store: locks are in-process, every other registered process has ended. */
export async function openLocalCoordination(database: SqlDatabase): Promise<Coordination> {
  const processId = await registerProcess(database);
  const tails = new Map<LockName, Promise<unknown>>();
  const announcements = createAnnouncements();
  return {
    processId: () => processId,
    isAlive: async (id) => id === processId,
    exclusive<T>(lock: LockName, work: () => Promise<T>): Promise<T> {
      const run = (tails.get(lock) ?? Promise.resolve()).then(work);
      tails.set(
        lock,
        run.catch(() => undefined),
      );
      return run;
    },
    announce: async (channel) => announcements.deliver(channel),
    onAnnouncement: announcements.subscribe,
    close: async () => {},
  };
}

export interface PostgresCoordinationOptions {
  /** Told when the session that proves this process alive was lost and a new one registered. */
  onReregistered?: (processId: number) => void;
  onError?: (error: unknown) => void;
}

/**
 * Coordination of the processes on the PostgreSQL database at `url`. A session connection holds this
 * process's liveness lock and listens for announcements; named locks are taken on connections of a
 * small pool of their own, so that a process waiting for one lock never blocks another.
 */
export async function openPostgresCoordination(
  url: string,
  database: SqlDatabase,
  options: PostgresCoordinationOptions = {},
): Promise<Coordination> {
  const announcements = createAnnouncements();
  const locks = new pg.Pool({ connectionString: url, max: lockNames.length + 2 });
  locks.on('error', () => {});
  let closed = false;
  let processId = 0;
  /** Set while the session is lost: nothing that needs a lock may run. */
  let lost: Error | undefined;
  let session: pg.Client | undefined;

  async function openSession(): Promise<void> {
    const id = await registerProcess(database);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1, $2)', [processLockClass, id]);
      await client.query('LISTEN medledger_notifications');
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    client.on('notification', (message) => {
      if (message.channel === 'medledger_notifications') announcements.deliver('notifications');
    });
    client.on('error', (error) => {
      if (closed || session !== client) return;
      lost = new LedgerUnavailableError(
        'This gateway process lost its connection to the shared store; it stops relaying until it is back.',
        { cause: error },
      );
      options.onError?.(error);
      void client.end().catch(() => undefined);
      void reopen();
    });
    session = client;
    processId = id;
  }

  async function reopen(): Promise<void> {
    while (!closed) {
      try {
        await openSession();
        lost = undefined;
        options.onReregistered?.(processId);
        // Announcements may have been missed while the session was away.
        announcements.deliver('notifications');
        return;
      } catch (error) {
        options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  await openSession();

  return {
    processId: () => processId,
    async isAlive(id) {
      if (id === processId) return !lost;
      // pg_locks lists the advisory locks of every database on the server; process ids are per
      // database, so another organisation's process 7 must not make this one's process 7 alive.
      const row = await database.get(
        `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND classid = $class AND objid = $id AND objsubid = 2`,
        { class: processLockClass, id },
      );
      return Number(row?.n ?? 0) > 0;
    },
    async exclusive<T>(lock: LockName, work: () => Promise<T>): Promise<T> {
      if (lost) throw lost;
      const key = lockNames.indexOf(lock);
      const client = await locks.connect();
      let broken = false;
      try {
        await client.query('SELECT pg_advisory_lock($1, $2)', [namedLockClass, key]);
        try {
          return await work();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1, $2)', [namedLockClass, key]).catch(() => {
            broken = true; // the lock ended with the connection, which is discarded
          });
        }
      } finally {
        client.release(broken);
      }
    },
    async announce(channel) {
      if (channel === 'notifications') await database.run(`SELECT pg_notify('medledger_notifications', '')`);
    },
    onAnnouncement: announcements.subscribe,
    async close() {
      closed = true;
      await session?.end().catch(() => undefined);
      await locks.end();
    },
  };
}
