export type {
  ActionJournal,
  ActionOutcome,
  JournalEntry,
  MinedAt,
  NewJournalEntry,
} from './actionJournal.ts';
export { probeAdminRpc } from './adminRpcProbe.ts';
export {
  contractErrorFrom,
  type DecodedContractError,
  decodeContractError,
  describeContractError,
} from './contractErrors.ts';
export {
  type Deployment,
  deployContracts,
  fundOnDevelopmentChain,
  isDeployed,
  parseDeployment,
  readDeployment,
  writeDeployment,
} from './deployment.ts';
export {
  anvilBinaryPath,
  type EmbeddedChain,
  type EmbeddedChainOptions,
  type SavedState,
  spawnWithParentDeathSignal,
  startEmbeddedChain,
} from './embeddedChain.ts';
export { freePort } from './freePort.ts';
export {
  type IpcTransportOptions,
  ipc,
  type JsonRpcCall,
  type JsonRpcFailure,
  type JsonRpcOutcome,
} from './ipcTransport.ts';
export { type JournalRecoveryReport, recoverJournal } from './journalRecovery.ts';
export {
  actionPending,
  asLedgerError,
  combinedAbi,
  createLedgerClient,
  type LedgerClient,
  type LedgerClientOptions,
  type LedgerContractName,
  ledgerAbis,
  ledgerRecovering,
  RevertedOnChainError,
  type SentTransaction,
} from './ledgerClient.ts';
export { createLedgerPublicClient, ledgerChain } from './ledgerPublicClient.ts';
export { ipcSocketPathOf, isRpcEndpoint, rpcTransport, sendRpcCalls } from './rpcEndpoint.ts';
