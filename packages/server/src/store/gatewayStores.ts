/**
 * Every store of a gateway, by area, on one database: SQLite (a file, or `:memory:` for tests) or
 * PostgreSQL (a `postgres://` URL). One connection (SQLite) or one pool (PostgreSQL) is shared by
 * all the areas and closed once, with `close`.
 */
import { SqlAppointmentStore } from './appointmentStore.ts';
import { type AtRestCipher, checkAtRestKey, sealClearFreeText } from './atRest.ts';
import type { AuditStore } from './auditStore.ts';
import type { ChainIndexStore } from './chainIndexStore.ts';
import {
  type Coordination,
  openLocalCoordination,
  openPostgresCoordination,
  type PostgresCoordinationOptions,
} from './coordination.ts';
import type { DelegateStore } from './delegateStore.ts';
import type { DerivationStore } from './derivationStore.ts';
import type { GatewayStore } from './gatewayStore.ts';
import type { KeyRecoveryStore } from './keyRecoveryStore.ts';
import type { OrderStore } from './orderStore.ts';
import { isPostgresUrl, openPostgresDatabase } from './postgresDatabase.ts';
import type { RateLimitStore } from './rateLimitStore.ts';
import type { SecondFactorStore } from './secondFactorStore.ts';
import type { SessionStore } from './sessionStore.ts';
import { SqlActionJournal } from './sqlActionJournal.ts';
import { SqlAuditStore } from './sqlAuditStore.ts';
import { SqlChainIndexStore } from './sqlChainIndexStore.ts';
import type { SqlDatabase } from './sqlDatabase.ts';
import { SqlDelegateStore } from './sqlDelegateStore.ts';
import { SqlDerivationStore } from './sqlDerivationStore.ts';
import { SqlEmergencyStore } from './sqlEmergencyStore.ts';
import { SqliteDatabase } from './sqliteDatabase.ts';
import { SqlKeyRecoveryStore } from './sqlKeyRecoveryStore.ts';
import { SqlNotificationStore } from './sqlNotificationStore.ts';
import { SqlOrderStore } from './sqlOrderStore.ts';
import { SqlRateLimitStore } from './sqlRateLimitStore.ts';
import { SqlSecondFactorStore } from './sqlSecondFactorStore.ts';
import { SqlSessionStore } from './sqlSessionStore.ts';

export interface GatewayStores {
  database: SqlDatabase;
  /** Chain index, audit, sessions, second factors and key recovery, as the services use them. */
  store: GatewayStore;
  emergencies: SqlEmergencyStore;
  notifications: SqlNotificationStore;
  journal: SqlActionJournal;
  /** Clinicians' slots and the appointments booked in them. */
  appointments: SqlAppointmentStore;
  /** How this process shares the store with the other processes on it (see `coordination.ts`). */
  coordination: Coordination;
  /** Closes the database the stores share. */
  close(): Promise<void>;
}

export interface OpenGatewayStoresOptions extends PostgresCoordinationOptions {
  /**
   * The gateway's at-rest key (`keys/at-rest.json`), which seals justifications and access-request
   * reasons. With it, opening checks that the database is sealed under this key and seals the rows
   * earlier versions wrote in clear; without it (tools, tests of other areas) those rows can be
   * neither written nor read.
   */
  atRest?: AtRestCipher;
}

/**
 * Opens the database at `location` (a SQLite file path, `:memory:`, or a `postgres://` URL),
 * applies the migrations it lacks, and returns its stores.
 *
 * @example
 * const stores = await openGatewayStores(join(dataDir, 'gateway.sqlite'), { atRest });
 * await stores.store.appendAuditEvents(events);
 * await stores.close();
 */
export async function openGatewayStores(
  location: string,
  { atRest, ...options }: OpenGatewayStoresOptions = {},
): Promise<GatewayStores> {
  const database = await openSqlDatabase(location);
  let coordination: Coordination;
  try {
    if (atRest) {
      await checkAtRestKey(database, atRest);
      if ((await sealClearFreeText(database, atRest)) > 0 && database instanceof SqliteDatabase) {
        await database.checkpoint();
      }
    }
    coordination = isPostgresUrl(location)
      ? await openPostgresCoordination(location, database, options)
      : await openLocalCoordination(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    database,
    store: composeGatewayStore(database, atRest),
    emergencies: new SqlEmergencyStore(database, atRest),
    notifications: new SqlNotificationStore(database),
    journal: new SqlActionJournal(database, coordination),
    appointments: new SqlAppointmentStore(database),
    coordination,
    close: async () => {
      await coordination.close();
      await database.close();
    },
  };
}

/** Opens the database at `location` (SQLite path, `:memory:`, or `postgres://` URL), migrated. */
export async function openSqlDatabase(location: string): Promise<SqlDatabase> {
  return isPostgresUrl(location) ? openPostgresDatabase(location) : new SqliteDatabase(location);
}

/** The areas of `GatewayStore` on `database`, as one object; its `close` closes the database. */
export function composeGatewayStore(database: SqlDatabase, atRest?: AtRestCipher): GatewayStore {
  return {
    ...methodsOf<ChainIndexStore>(new SqlChainIndexStore(database, atRest)),
    ...methodsOf<AuditStore>(new SqlAuditStore(database)),
    ...methodsOf<SessionStore>(new SqlSessionStore(database)),
    ...methodsOf<SecondFactorStore>(new SqlSecondFactorStore(database)),
    ...methodsOf<KeyRecoveryStore>(new SqlKeyRecoveryStore(database)),
    ...methodsOf<RateLimitStore>(new SqlRateLimitStore(database)),
    ...methodsOf<OrderStore>(new SqlOrderStore(database)),
    ...methodsOf<DelegateStore>(new SqlDelegateStore(database)),
    ...methodsOf<DerivationStore>(new SqlDerivationStore(database)),
    close: () => database.close(),
  };
}

/** The methods of a class instance, bound to it, as an object's own properties (which spread copies). */
function methodsOf<T extends object>(instance: T): T {
  const methods: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(instance))) {
    const value: unknown = Reflect.get(instance, name);
    if (name !== 'constructor' && typeof value === 'function') methods[name] = value.bind(instance);
  }
  return methods as T;
}
