/**
 * The databases a gateway's stores run on, for store tests that must pass on each: SQLite in a
 * file, as a gateway has it (a writing and a reading connection; removed on close), and PostgreSQL
 * (a fresh database of the test process's server for every `open`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from '@medledger/core';
import { createAtRestCipher } from '../../src/store/atRest.ts';
import { type GatewayStores, openGatewayStores } from '../../src/store/gatewayStores.ts';
import { sharedTestPostgres } from './postgres.ts';

export interface StoreBackend {
  name: 'SQLite' | 'PostgreSQL';
  /** Opens every store on a new, empty database. */
  open(): Promise<GatewayStores>;
}

/** The at-rest key of the test stores (a gateway's is `keys/at-rest.json`). */
export const testAtRest = createAtRestCipher(randomBytes(32));

export const storeBackends: readonly StoreBackend[] = [
  {
    name: 'SQLite',
    open: async () => {
      const directory = mkdtempSync(join(tmpdir(), 'medledger-store-'));
      const stores = await openGatewayStores(join(directory, 'gateway.sqlite'), { atRest: testAtRest });
      const close = stores.close.bind(stores);
      stores.close = async () => {
        await close();
        rmSync(directory, { recursive: true, force: true });
      };
      return stores;
    },
  },
  {
    name: 'PostgreSQL',
    open: async () =>
      openGatewayStores(await (await sharedTestPostgres()).createDatabase(), { atRest: testAtRest }),
  },
];
