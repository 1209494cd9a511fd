export { probeAdminRpc } from './adminRpcProbe.ts';
export {
  deployContracts,
  fundOnDevelopmentChain,
  isDeployed,
  readDeployment,
  writeDeployment,
} from './deployment.ts';
export {
  anvilBinaryPath,
  anvilMemoryOnlyHistory,
  type EmbeddedChain,
  type EmbeddedChainOptions,
  type SavedState,
  spawnWithParentDeathSignal,
  startEmbeddedChain,
} from './embeddedChain.ts';
export { freePort } from './freePort.ts';
export { type HttpAnvil, startHttpAnvil } from './httpAnvil.ts';
export { ipcSocketPathOf, isRpcEndpoint, ledgerEndpoint, sendRpcCalls } from './rpcEndpoint.ts';
