export { type BuildAppOptions, buildApp, errorResponseOf, type GatewayServices } from './app.ts';
export { type GatewayConfig, type GatewayConfigInput, loadGatewayConfig } from './config.ts';
export { type RunningGateway, startGateway } from './gateway.ts';
export { type BlobStore, FileBlobStore } from './store/blobStore.ts';
export type { GatewayStore } from './store/gatewayStore.ts';
export { SqliteGatewayStore } from './store/sqliteStore.ts';
