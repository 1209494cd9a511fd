/**
 * Reading the chain as a client, trusting no gateway: through the read-only JSON-RPC endpoint a
 * gateway names (`rpcUrl` of `GET /api/ledger`, its `POST /rpc`), or any node, within that
 * endpoint's limits (`readOnlyRpcLimits`). Browser-safe: the CLI, the web app and the benchmarks
 * read the chain through it, never through a viem client of their own.
 *
 * Every failure becomes a medledger error (`asLedgerError`): a contract's refusal its table entry,
 * anything else `LedgerUnavailableError`.
 */
import { readOnlyRpcLimits } from '@medledger/core';
import {
  type Abi,
  type ContractEventArgs,
  type ContractEventName,
  type ContractFunctionArgs,
  type ContractFunctionReturnType,
  createPublicClient,
  type GetContractEventsReturnType,
  type Hex,
  http,
  type PublicClient,
} from 'viem';
import { asLedgerError } from './asLedgerError.ts';
import {
  encodeLedgerCall,
  type LedgerAbi,
  type LedgerContractName,
  type LedgerContracts,
  ledgerAbis,
  type ReadFunctionName,
} from './ledgerAbis.ts';

export interface ChainReaderOptions {
  /** The JSON-RPC endpoint (http or https). */
  rpcUrl: string;
  /** Where the contracts are. */
  contracts: LedgerContracts;
  /** Calls per JSON-RPC batch and blocks per log query; by default a gateway's read-only endpoint's. */
  limits?: { maxBatchCalls: number; maxLogBlockRange: number };
}

/** A block as readers see it. */
export interface ChainBlock {
  number: bigint;
  hash: Hex;
  parentHash: Hex;
  /** Unix seconds. */
  timestamp: bigint;
  /** Hashes of its transactions. */
  transactions: readonly Hex[];
}

/** Decoded events `E` of contract `C`, with their block, transaction and log index. */
export type ChainEvents<
  C extends LedgerContractName,
  E extends ContractEventName<LedgerAbi<C>>,
> = GetContractEventsReturnType<LedgerAbi<C>, E, true>;

export type ChainReader = ReturnType<typeof createChainReader>;

/** Windows of blocks read at once: one batch of log queries. */
const windowsPerRound = 10;

/**
 * @example
 * const info = await client.ledger();
 * const chain = createChainReader({ rpcUrl: info.rpcUrl, contracts: info.contracts });
 * const privileged = await chain.read('emergencies', 'isEmergencyPrivileged', [member]);
 * const anchors = await chain.events('records', 'RecordAnchored', { fromBlock: 0n });
 */
export function createChainReader(options: ChainReaderOptions) {
  const limits = options.limits ?? readOnlyRpcLimits;
  const client = createPublicClient({
    // A gateway's read-only endpoint rate-limits each client (429 with Retry-After, windows of a
    // few seconds): five retries, 0.15 s doubling to 2.4 s, outlast a window.
    transport: http(options.rpcUrl, { batch: { batchSize: limits.maxBatchCalls }, retryCount: 5 }),
  }) as PublicClient;
  return { rpcUrl: options.rpcUrl, ...chainReaderOver(client, options.contracts, limits.maxLogBlockRange) };
}

/**
 * The reads of a chain reader through an existing viem client (the ledger client's own), event
 * queries in windows of `maxLogBlockRange` blocks.
 *
 * @example
 * const reader = chainReaderOver(publicClient, deployment);
 * const grant = await reader.read('consents', 'grantOf', [grantId]);
 */
export function chainReaderOver(
  client: PublicClient,
  contracts: LedgerContracts,
  maxLogBlockRange: number = readOnlyRpcLimits.maxLogBlockRange,
) {
  async function reading<T>(doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw asLedgerError(error, doing);
    }
  }

  /** The chain's id. */
  function chainId(): Promise<number> {
    return reading('reading the chain id', () => client.getChainId());
  }

  /** The latest block's number (never cached). */
  function blockNumber(): Promise<bigint> {
    return reading('reading the block number', () => client.getBlockNumber({ cacheTime: 0 }));
  }

  /** Block `number`. */
  function block(number: bigint): Promise<ChainBlock> {
    return reading(`reading block ${number}`, async () => {
      const found = await client.getBlock({ blockNumber: number });
      return {
        number: found.number,
        hash: found.hash,
        parentHash: found.parentHash,
        timestamp: found.timestamp,
        transactions: found.transactions,
      };
    });
  }

  /** The call data of transaction `hash`. */
  function transactionInput(hash: Hex): Promise<Hex> {
    return reading(`reading transaction ${hash}`, async () => (await client.getTransaction({ hash })).input);
  }

  /**
   * Calls view function `functionName` of `contract`, at `blockNumber` or the latest block.
   * Arguments the ABI cannot encode are `InvalidInputError`, not an outage.
   */
  function read<
    C extends LedgerContractName,
    F extends ReadFunctionName<C>,
    const A extends ContractFunctionArgs<LedgerAbi<C>, 'view' | 'pure', F>,
  >(
    contract: C,
    functionName: F,
    args: A,
    blockNumber?: bigint,
  ): Promise<ContractFunctionReturnType<LedgerAbi<C>, 'view' | 'pure', F, A>> {
    encodeLedgerCall(contract, functionName as string, args as readonly unknown[]);
    return reading(`reading ${contract}.${String(functionName)}`, async () => {
      const result = await client.readContract({
        address: contracts[contract],
        abi: ledgerAbis[contract] as Abi,
        functionName: functionName as string,
        args: args as readonly unknown[],
        ...(blockNumber === undefined ? {} : { blockNumber }),
      });
      return result as ContractFunctionReturnType<LedgerAbi<C>, 'view' | 'pure', F, A>;
    });
  }

  /**
   * Events `eventName` of `contract` from `fromBlock` to `toBlock` (default: the latest), in block
   * order, read in windows the endpoint accepts (`maxLogBlockRange` blocks, ten windows a batch);
   * `args` filters on indexed arguments.
   */
  async function events<C extends LedgerContractName, E extends ContractEventName<LedgerAbi<C>>>(
    contract: C,
    eventName: E,
    range: { fromBlock: bigint; toBlock?: bigint; args?: ContractEventArgs<LedgerAbi<C>, E> },
  ): Promise<ChainEvents<C, E>> {
    const toBlock = range.toBlock ?? (await blockNumber());
    const span = BigInt(maxLogBlockRange);
    const windows: { fromBlock: bigint; toBlock: bigint }[] = [];
    for (let start = range.fromBlock; start <= toBlock; start += span) {
      windows.push({ fromBlock: start, toBlock: start + span - 1n < toBlock ? start + span - 1n : toBlock });
    }
    const found: unknown[] = [];
    for (let index = 0; index < windows.length; index += windowsPerRound) {
      const round = await Promise.all(
        windows.slice(index, index + windowsPerRound).map((window) =>
          reading(`reading ${contract} events`, () =>
            client.getContractEvents({
              address: contracts[contract],
              abi: ledgerAbis[contract] as Abi,
              eventName: eventName as string,
              ...(range.args ? { args: range.args as Record<string, unknown> } : {}),
              ...window,
              strict: true,
            }),
          ),
        ),
      );
      found.push(...round.flat());
    }
    return found as ChainEvents<C, E>;
  }

  return { contracts, chainId, blockNumber, block, transactionInput, read, events };
}
