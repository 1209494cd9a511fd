/**
 * A gateway store on a SQLite file of its own (or `:memory:`), for tests and tools that open a data
 * directory's database apart from a running gateway. Gateways open theirs with `openGatewayStores`.
 */

import type { AtRestCipher } from './atRest.ts';
import type { GatewayStore } from './gatewayStore.ts';
import { composeGatewayStore } from './gatewayStores.ts';
import { SqliteDatabase } from './sqliteDatabase.ts';

export interface SqliteGatewayStore extends GatewayStore {}

/**
 * @example
 * const store = new SqliteGatewayStore(join(dataDir, 'gateway.sqlite'));
 * const records = await store.allRecords();
 * await store.close();
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor assigns every method of GatewayStore.
export class SqliteGatewayStore {
  /** Without `atRest` (the gateway's at-rest key), access-request reasons can be neither saved nor read. */
  constructor(path: string, atRest?: AtRestCipher) {
    Object.assign(this, composeGatewayStore(new SqliteDatabase(path), atRest));
  }
}
