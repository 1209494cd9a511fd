export type {
  ActionJournal,
  ActionOutcome,
  JournalEntry,
  MinedAt,
  NewJournalEntry,
} from './actionJournal.ts';
export { asLedgerError } from './asLedgerError.ts';
export {
  type ChainBlock,
  type ChainEvents,
  type ChainReader,
  type ChainReaderOptions,
  createChainReader,
} from './chainReader.ts';
export {
  type ContractErrorMapping,
  contractErrorFrom,
  contractErrors,
  type DecodedContractError,
  decodeContractError,
  describeContractError,
  type LedgerContractErrorName,
} from './contractErrors.ts';
export { type Deployment, parseDeployment } from './deployment.ts';
export { adoptOrphanedActions, type JournalRecoveryReport, recoverJournal } from './journalRecovery.ts';
export {
  combinedAbi,
  type LedgerAbi,
  type LedgerContractName,
  type LedgerContracts,
  ledgerAbis,
  type ReadFunctionName,
  type WriteFunctionName,
} from './ledgerAbis.ts';
export {
  actionPending,
  createLedgerClient,
  type LedgerClient,
  type LedgerClientOptions,
  ledgerRecovering,
  RevertedOnChainError,
  type SentTransaction,
} from './ledgerClient.ts';
export {
  httpEndpoint,
  type JsonRpcCall,
  type JsonRpcFailure,
  type JsonRpcOutcome,
  type LedgerEndpoint,
  rpcRequestTimeoutMs,
  unavailableOnFailure,
} from './ledgerEndpoint.ts';
export { createLedgerPublicClient } from './ledgerPublicClient.ts';
export { suggestGasPrice } from './suggestGasPrice.ts';
