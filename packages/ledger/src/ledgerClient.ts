/**
 * The ledger client: the one place in medledger that talks to the chain.
 *
 * - Reads go through a batching JSON-RPC transport; any failure to read becomes a
 *   `LedgerUnavailableError`, so callers that authorise access fail closed.
 * - Writes are relayed by the gateway's own account (the relayer pays gas; actors only sign
 *   EIP-712 messages). Each write is simulated first (`eth_estimateGas`), so a contract's custom
 *   error comes back decoded (see `contractErrors.ts`) before anything is sent.
 */
import { LedgerUnavailableError, type MedledgerError } from '@medledger/core';
import {
  type Abi,
  type Address,
  BlockNotFoundError,
  type ContractFunctionArgs,
  type Hex,
  type LocalAccount,
  type Log,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from 'viem';
import type { ActionJournal } from './actionJournal.ts';
import { asLedgerError } from './asLedgerError.ts';
import { chainReaderOver } from './chainReader.ts';
import type { Deployment } from './deployment.ts';
import {
  combinedAbi,
  encodeLedgerCall,
  type LedgerAbi,
  type LedgerContractName,
  ledgerAbis,
  type WriteFunctionName,
} from './ledgerAbis.ts';
import type { JsonRpcCall, JsonRpcOutcome, LedgerEndpoint } from './ledgerEndpoint.ts';
import { createLedgerPublicClient } from './ledgerPublicClient.ts';
import { isNonceRejection } from './nonceRejection.ts';
import { suggestGasPrice } from './suggestGasPrice.ts';

export interface LedgerClientOptions {
  /**
   * The chain node: `httpEndpoint(url)`, or in Node `ledgerEndpoint(url)` of
   * `@medledger/ledger-node`, which also speaks to IPC sockets.
   */
  endpoint: LedgerEndpoint;
  /** The gateway's relayer account: it signs and pays for the transactions it relays. */
  relayer: LocalAccount;
  deployment: Deployment;
  /** Milliseconds between receipt polls. */
  pollingIntervalMs?: number;
  /**
   * Where every relayed transaction is journaled before it is sent and marked mined before it is
   * acknowledged (see `actionJournal.ts`). Without one, writes are not journaled (tests, tools).
   */
  journal?: ActionJournal;
  /**
   * How long a write whose transaction's fate is unknown (the chain went away after it was sent)
   * waits for recovery to apply it before its caller is told it is still pending. Default 60 s.
   */
  pendingWaitMs?: number;
  /**
   * With several processes relaying for one account (gateway processes sharing a store): runs
   * `work` while no other process sends this relayer's transactions. The nonce is then read from
   * the chain under it for every transaction, never kept between them.
   */
  relayLock?: <T>(work: () => Promise<T>) => Promise<T>;
}

/** Raised instead of writing while the ledger is being recovered, and for writes still pending. */
export const ledgerRecovering = 'ledger_recovering';
export const actionPending = 'action_pending';

export interface SentTransaction {
  hash: Hex;
  blockNumber: bigint;
  receipt: TransactionReceipt;
  events: ReturnType<typeof parseEventLogs<typeof combinedAbi>>;
}

export type LedgerClient = ReturnType<typeof createLedgerClient>;

/**
 * @example
 * const ledger = createLedgerClient({ endpoint: httpEndpoint(rpcUrl), relayer, deployment });
 * const allowed = await ledger.read('consents', 'isAuthorised', [[grantId], actor, patient, 3, 0, 1]);
 */
export function createLedgerClient(options: LedgerClientOptions) {
  const options_ = options;
  const { endpoint, relayer, deployment } = options;
  const publicClient = createLedgerPublicClient(endpoint, deployment.chainId, options.pollingIntervalMs);
  const addresses: Record<LedgerContractName, Address> = {
    consortium: deployment.consortium,
    consents: deployment.consents,
    records: deployment.records,
    auditAnchors: deployment.auditAnchors,
    coSignatures: deployment.coSignatures,
    emergencies: deployment.emergencies,
    orders: deployment.orders,
    delegates: deployment.delegates,
    recordActions: deployment.recordActions,
  };
  const sender = createTransactionSender(
    publicClient,
    relayer,
    deployment.chainId,
    () => writesHeld,
    options.relayLock,
  );
  const reader = chainReaderOver(publicClient, addresses);

  /** Waiters of journaled writes, settled by the normal path or by recovery. */
  const waiters = new Map<
    number,
    { resolve: (sent: SentTransaction) => void; reject: (error: unknown) => void }
  >();
  let writesHeld: MedledgerError | undefined;
  /** Counts the holds: a relay that began before the latest one must not confirm what it saw since. */
  let holds = 0;

  async function write<C extends LedgerContractName, F extends WriteFunctionName<C>>(
    contract: C,
    functionName: F,
    args: ContractFunctionArgs<LedgerAbi<C>, 'nonpayable' | 'payable', F>,
    options: { gas?: bigint } = {},
  ): Promise<SentTransaction> {
    const data = encodeLedgerCall(contract, functionName as string, args as readonly unknown[]);
    const to = addresses[contract];
    const { journal } = options_;
    if (!journal) return sender.send(to, data, options.gas).catch(unwrapRevert);
    if (writesHeld) throw writesHeld;
    // Simulated first (unless a gas limit is given): an action the chain refuses is never journaled.
    const gas = options.gas ?? (await sender.estimate(to, data));
    const id = await journal.append({
      to,
      data,
      gas,
      functionName: functionName as string,
      author: firstAddressArgument(contract, functionName as string, args as readonly unknown[]),
    });
    const settled = new Promise<SentTransaction>((resolve, reject) => waiters.set(id, { resolve, reject }));
    sendJournaled(id, to, data, gas).catch(() => undefined);
    return withPendingLimit(id, settled);
  }

  /** Sends a journaled transaction; once mined and marked mined in the journal, its waiter is answered. */
  async function sendJournaled(
    id: number,
    to: Address,
    data: Hex,
    gas: bigint,
    force = false,
  ): Promise<SentTransaction> {
    const journal = options_.journal as ActionJournal;
    const holdsAtStart = holds;
    try {
      const sent = await sender.send(to, data, gas, (hash) => journal.sent(id, hash), force);
      if (!force && (writesHeld || holds !== holdsAtStart)) {
        // The chain went away while this was under way: what it answered may be of the chain as
        // it is after a restart or rewind, which recovery has not checked the journal against yet.
        // The entry stays pending; recovery finds it mined (or applies it) and answers its waiter.
        throw (
          writesHeld ??
          new LedgerUnavailableError('The ledger was recovered while this action was under way.')
        );
      }
      await confirm(id, sent, { ifPending: !force });
      return sent;
    } catch (error) {
      // Mined but reverted: the action is over. Anything else (the chain went away) leaves it
      // pending in the journal, for recovery to apply.
      if (error instanceof RevertedOnChainError) {
        await journal.settle(id, 'failed', error.details ?? error.shortMessage);
        takeWaiter(id)?.reject(unwrapRevertError(error));
      }
      throw error;
    }
  }

  /**
   * Marks the entry mined (durably), then answers its waiter. A relay's own confirmation
   * (`ifPending`) changes nothing, and answers nobody, once recovery has taken the entry over.
   */
  async function confirm(id: number, sent: SentTransaction, options: { ifPending?: boolean } = {}) {
    const journal = options_.journal as ActionJournal;
    const marked = await journal.mined(
      id,
      {
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
        blockHash: sent.receipt.blockHash,
      },
      options,
    );
    // Not marked: recovery took the entry over, and answers its waiter with what it found.
    if (marked) takeWaiter(id)?.resolve(sent);
  }

  function takeWaiter(id: number) {
    const waiter = waiters.get(id);
    waiters.delete(id);
    return waiter;
  }

  /** A write whose fate is unknown for longer than `pendingWaitMs` is answered "still pending". */
  function withPendingLimit(id: number, settled: Promise<SentTransaction>): Promise<SentTransaction> {
    const limitMs = options_.pendingWaitMs ?? 60_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        waiters.delete(id);
        reject(
          new LedgerUnavailableError(
            'The ledger did not confirm this action in time; it is journaled and will be applied when the ledger is back.',
            { reason: actionPending, details: `journal entry ${id}` },
          ),
        );
      }, limitMs);
    });
    return Promise.race([settled, limit]).finally(() => clearTimeout(timer));
  }

  /** While held, writes fail at once with `error` (the ledger is being recovered). */
  function holdWrites(error: MedledgerError | undefined): void {
    if (error) holds += 1;
    writesHeld = error;
  }

  /** A block's number and time (unix seconds): the latest one unless `number` is given. */
  async function block(number?: bigint): Promise<{ number: bigint; timestamp: bigint }> {
    try {
      const found = await publicClient.getBlock(
        number === undefined ? { blockTag: 'latest' } : { blockNumber: number },
      );
      return { number: found.number, timestamp: found.timestamp };
    } catch (error) {
      throw asLedgerError(error, 'reading a block');
    }
  }

  /** The latest block's number and hash. */
  async function head(): Promise<{ number: bigint; hash: Hex }> {
    try {
      const found = await publicClient.getBlock({ blockTag: 'latest' });
      return { number: found.number, hash: found.hash };
    } catch (error) {
      throw asLedgerError(error, 'reading the latest block');
    }
  }

  /** The hash of block `number`, or undefined when the chain has no such block (yet, or any more). */
  async function blockHash(number: bigint): Promise<Hex | undefined> {
    try {
      const found = await publicClient.getBlock({ blockNumber: number });
      return found.hash ?? undefined;
    } catch (error) {
      if (error instanceof BlockNotFoundError) return undefined;
      throw asLedgerError(error, 'reading a block');
    }
  }

  /** Decoded events of the contracts in a block range (inclusive). */
  async function events(fromBlock: bigint, toBlock: bigint) {
    try {
      const logs = await publicClient.getLogs({
        address: Object.values(addresses),
        fromBlock,
        toBlock,
      });
      return parseEventLogs({ abi: combinedAbi, logs: logs as Log[] });
    } catch (error) {
      throw asLedgerError(error, 'reading events');
    }
  }

  /**
   * Sends raw JSON-RPC calls to the node and returns its answers as they are, for the gateway's
   * read-only endpoint, which decides what may pass.
   */
  function forwardRpc(calls: readonly JsonRpcCall[]): Promise<JsonRpcOutcome[]> {
    return endpoint.send(calls);
  }

  return {
    rpcUrl: endpoint.url,
    chainId: deployment.chainId,
    deployment,
    addresses,
    relayerAddress: relayer.address,
    publicClient,
    /** Calls a view function (at `blockNumber`, or the latest block); see `ChainReader.read`. */
    read: reader.read,
    write,
    /** The latest block's number (never cached). */
    blockNumber: reader.blockNumber,
    block,
    blockHash,
    head,
    events,
    forwardRpc,
    journaled: {
      /** Sends a journal entry's transaction again (recovery); the entry's waiter, if any, is answered. */
      resend: async (id: number, to: Address, data: Hex, gas: bigint) =>
        sendJournaled(id, to, data, gas, true),
      /** The entry was found mined (recovery); its waiter, if any, is answered. */
      confirm,
      /** The entry ended unapplied; its waiter, if any, is told why. */
      reject: (id: number, error: unknown) => takeWaiter(id)?.reject(error),
      estimate: (to: Address, data: Hex) => sender.estimate(to, data),
      holdWrites,
      /** Forgets the relayer's nonce counter: the chain's own count is read again. */
      resetNonce: () => sender.resetNonce(),
      receipt: (hash: Hex) => sender.receiptIfMined(hash),
    },
    /** Runs `work` while this relayer submits nothing (e.g. a consistent dump of the embedded chain). */
    withWritesPaused: <T>(work: () => Promise<T>) => sender.exclusive(work),
  };
}

/** The first address argument of a call: by the contracts' conventions, who signed the action. */
function firstAddressArgument(
  contract: LedgerContractName,
  functionName: string,
  args: readonly unknown[],
): Address | null {
  const item = (ledgerAbis[contract] as Abi).find(
    (entry) => entry.type === 'function' && entry.name === functionName,
  );
  if (item?.type !== 'function') return null;
  const index = item.inputs.findIndex((input) => input.type === 'address');
  return index >= 0 ? (args[index] as Address) : null;
}

function unwrapRevertError(error: unknown): unknown {
  return error instanceof RevertedOnChainError && error.cause ? error.cause : error;
}

function unwrapRevert(error: unknown): never {
  throw unwrapRevertError(error);
}

/** A transaction that was mined but reverted: it is over, and will not be applied by recovery. */
export class RevertedOnChainError extends LedgerUnavailableError {
  override name = 'RevertedOnChainError';
}

/**
 * Sends the relayer's transactions with a local nonce counter, so that many can be under way at
 * once; a nonce the node rejects makes the counter resynchronise from the chain.
 */
function createTransactionSender(
  publicClient: PublicClient,
  relayer: LocalAccount,
  chainId: number,
  /** While it returns an error, only forced transactions (recovery's) are submitted. */
  held: () => MedledgerError | undefined,
  relayLock?: <T>(work: () => Promise<T>) => Promise<T>,
) {
  let nextNonce: number | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let gasPrice: { value: bigint; readAt: number } | undefined;

  async function currentGasPrice(): Promise<bigint> {
    if (!gasPrice || Date.now() - gasPrice.readAt > 2_000) {
      gasPrice = { value: await suggestGasPrice(publicClient), readAt: Date.now() };
    }
    return gasPrice.value;
  }

  /** Signs and submits under one lock so that nonces are handed out in order. */
  function submit(
    to: Address,
    data: Hex,
    gas: bigint,
    price: bigint,
    onSent?: (hash: Hex) => Promise<void>,
    force = false,
  ): Promise<Hex> {
    const attempt = queue.then(async () => {
      // Checked under the lock: a transaction queued before a recovery began must not overtake
      // the actions recovery re-applies (they come first in the journal).
      const holding = held();
      if (holding && !force) throw holding;
      if (!relayLock) return signAndSend(to, data, gas, price, onSent);
      return relayLock(() => {
        // Another process may have sent since: the chain's count is the only one to trust.
        nextNonce = undefined;
        return signAndSend(to, data, gas, price, onSent);
      });
    });
    queue = attempt.catch(() => undefined);
    return attempt;
  }

  async function signAndSend(
    to: Address,
    data: Hex,
    gas: bigint,
    price: bigint,
    onSent?: (hash: Hex) => Promise<void>,
  ): Promise<Hex> {
    for (let retry = 0; ; retry++) {
      nextNonce ??= await publicClient.getTransactionCount({
        address: relayer.address,
        blockTag: 'pending',
      });
      const serialized = await relayer.signTransaction({
        chainId,
        type: 'legacy',
        to,
        data,
        gas,
        gasPrice: price,
        nonce: nextNonce,
      });
      try {
        const hash = await publicClient.sendRawTransaction({ serializedTransaction: serialized });
        nextNonce += 1;
        // A hint for recovery, not waited for: nonces keep flowing while it is written.
        onSent?.(hash).catch(() => undefined);
        return hash;
      } catch (error) {
        nextNonce = undefined;
        if (retry >= 2 || !isNonceRejection(error)) throw error;
      }
    }
  }

  /**
   * Without `gasLimit` the transaction is first simulated (`eth_estimateGas`), which returns a
   * contract error before anything is sent. With it (the anchorer, whose records were each checked
   * on their way in) the chain executes it once; a revert is then explained below.
   */
  /** The gas limit to send with, from a simulation that returns a contract's error first. */
  async function estimate(to: Address, data: Hex): Promise<bigint> {
    try {
      return ((await publicClient.estimateGas({ account: relayer.address, to, data })) * 12n) / 10n + 25_000n;
    } catch (error) {
      throw asLedgerError(error, 'simulating the transaction');
    }
  }

  async function send(
    to: Address,
    data: Hex,
    gasLimit?: bigint,
    onSent?: (hash: Hex) => Promise<void>,
    force = false,
  ): Promise<SentTransaction> {
    const gas = gasLimit ?? (await estimate(to, data));
    try {
      const hash = await submit(to, data, gas, await currentGasPrice(), onSent, force);
      const receipt = await receiptOf(hash);
      if (receipt.status !== 'success') {
        // Reverted after a successful simulation: the state changed in between. Say why.
        try {
          await publicClient.call({ account: relayer.address, to, data, blockNumber: receipt.blockNumber });
        } catch (error) {
          throw new RevertedOnChainError('The transaction reverted on chain.', {
            details: hash,
            cause: asLedgerError(error, 'sending the transaction'),
          });
        }
        throw new RevertedOnChainError('The transaction reverted on chain.', { details: hash });
      }
      return {
        hash,
        blockNumber: receipt.blockNumber,
        receipt,
        events: parseEventLogs({ abi: combinedAbi, logs: receipt.logs }),
      };
    } catch (error) {
      throw asLedgerError(error, 'sending the transaction');
    }
  }

  /** Polls for the receipt at once, then with growing pauses: a mined block needs no block watcher. */
  async function receiptOf(hash: Hex): Promise<TransactionReceipt> {
    const deadline = Date.now() + 120_000;
    for (let pause = 5; ; pause = Math.min(pause * 2, 250)) {
      const receipt = await publicClient.getTransactionReceipt({ hash }).catch((error: unknown) => {
        if (error instanceof TransactionReceiptNotFoundError) return undefined;
        throw error;
      });
      if (receipt) return receipt;
      if (Date.now() > deadline)
        throw new LedgerUnavailableError(`Transaction ${hash} was not mined within 120 s.`);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** The receipt of `hash` if it is mined on the chain as it is now. */
  async function receiptIfMined(hash: Hex): Promise<TransactionReceipt | undefined> {
    try {
      return await publicClient.getTransactionReceipt({ hash });
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return undefined;
      throw asLedgerError(error, 'reading a receipt');
    }
  }

  /** Runs `work` under the nonce lock: no transaction of this relayer is submitted meanwhile. */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    send,
    estimate,
    receiptIfMined,
    exclusive,
    resetNonce() {
      nextNonce = undefined;
    },
  };
}
