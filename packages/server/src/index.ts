export { type BuildAppOptions, buildApp, errorResponseOf } from './app.ts';
export { type GatewayConfig, type GatewayConfigInput, loadGatewayConfig } from './config.ts';
export { type RunningGateway, startGateway } from './gateway.ts';
export type { GatewayServices } from './gatewayServices.ts';
export {
  defaultRateLimits,
  parseRateLimits,
  type RateLimitName,
  type RateLimits,
  unreachableRateLimits,
} from './rateLimits.ts';
export { type BlobStore, FileBlobStore } from './store/blobStore.ts';
export type { GatewayStore } from './store/gatewayStore.ts';
export { SqlBlobStore, type SqlBlobStoreOptions } from './store/sqlBlobStore.ts';
export { SqliteGatewayStore } from './store/sqliteStore.ts';
