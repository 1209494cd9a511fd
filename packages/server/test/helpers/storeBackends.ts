/**
 * The databases a gateway's stores run on, for store tests that must pass on each: SQLite in
 * memory and PostgreSQL (a fresh database of the test process's server for every `open`).
 */
import { type GatewayStores, openGatewayStores } from '../../src/store/gatewayStores.ts';
import { sharedTestPostgres } from './postgres.ts';

export interface StoreBackend {
  name: 'SQLite' | 'PostgreSQL';
  /** Opens every store on a new, empty database. */
  open(): Promise<GatewayStores>;
}

export const storeBackends: readonly StoreBackend[] = [
  { name: 'SQLite', open: () => openGatewayStores(':memory:') },
  {
    name: 'PostgreSQL',
    open: async () => openGatewayStores(await (await sharedTestPostgres()).createDatabase()),
  },
];
