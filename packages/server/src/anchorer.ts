/**
 * The anchorer: records waiting to be anchored are gathered into batches, one transaction each.
 * A record is acknowledged only when its batch is in a block.
 *
 * The contract refuses a whole batch for one bad record, naming its id; the anchorer then fails
 * that record's request alone and sends the rest again.
 */
import { cidFromDigest, MedledgerError, type RecordLeaf } from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import type { Hex } from 'viem';
import type { GatewayStore, RecordRow } from './store/gatewayStore.ts';

export interface AnchorRequest {
  leaf: RecordLeaf;
  grantId: bigint;
  signature: Hex;
}

export interface AnchorReceipt {
  blockNumber: number;
  transactionHash: Hex;
  organisationId: number;
}

interface Pending extends AnchorRequest {
  resolve: (receipt: AnchorReceipt) => void;
  reject: (error: unknown) => void;
}

export interface AnchorerOptions {
  ledger: LedgerClient;
  store: GatewayStore;
  /** Records per transaction. */
  maxBatchSize?: number;
  /** Transactions under way at once. */
  maxInFlight?: number;
}

export type Anchorer = ReturnType<typeof createAnchorer>;

/**
 * Gas limits of a batch, well above what the contract uses (about 61k to 81k gas per record, a
 * patient's first record costing most), so that batches go out without a simulation first.
 */
const gasPerRecord = 100_000n;
const gasPerBatch = 200_000n;

export function createAnchorer({ ledger, store, maxBatchSize = 200, maxInFlight = 4 }: AnchorerOptions) {
  const queue: Pending[] = [];
  let inFlight = 0;
  let idle: (() => void) | undefined;

  function anchor(request: AnchorRequest): Promise<AnchorReceipt> {
    return new Promise((resolve, reject) => {
      queue.push({ ...request, resolve, reject });
      pump();
    });
  }

  function pump(): void {
    while (inFlight < maxInFlight && queue.length) {
      const batch = queue.splice(0, maxBatchSize);
      inFlight += 1;
      send(batch).finally(() => {
        inFlight -= 1;
        pump();
        if (!inFlight && !queue.length) idle?.();
      });
    }
  }

  async function send(batch: Pending[]): Promise<void> {
    try {
      const sent = await ledger.write(
        'records',
        'anchorRecords',
        [batch.map(({ leaf, grantId, signature }) => ({ record: leaf, grantId, signature }))],
        { gas: gasPerRecord * BigInt(batch.length) + gasPerBatch },
      );
      const organisations = new Map<string, number>();
      for (const event of sent.events) {
        if (event.eventName === 'RecordAnchored') {
          organisations.set(event.args.recordId.toLowerCase(), Number(event.args.organisationId));
        }
      }
      const rows: RecordRow[] = batch.map(({ leaf }) => ({
        recordId: leaf.recordId,
        patient: leaf.patient,
        author: leaf.author,
        organisationId: organisations.get(leaf.recordId.toLowerCase()) ?? 0,
        category: leaf.category,
        sensitivity: leaf.sensitivity,
        contentDigest: leaf.contentDigest,
        cid: cidFromDigest(leaf.contentDigest),
        supersedes: leaf.supersedes,
        supersededBy: null,
        createdAt: Number(leaf.createdAt),
        blockNumber: Number(sent.blockNumber),
        transactionHash: sent.hash,
      }));
      // The chain is the authority; if this insert is lost in a crash the indexer restores it.
      await store.insertRecords(rows).catch(() => undefined);
      for (const [index, item] of batch.entries()) {
        item.resolve({
          blockNumber: Number(sent.blockNumber),
          transactionHash: sent.hash,
          organisationId: rows[index]?.organisationId ?? 0,
        });
      }
    } catch (error) {
      const offender = offendingRecord(error, batch);
      if (offender && batch.length > 1) {
        offender.reject(error);
        queue.unshift(...batch.filter((item) => item !== offender));
        return;
      }
      for (const item of batch) item.reject(error);
    }
  }

  /** Resolves once nothing is queued or under way (used on shutdown). */
  function drain(): Promise<void> {
    if (!inFlight && !queue.length) return Promise.resolve();
    return new Promise((resolve) => {
      idle = resolve;
    });
  }

  return { anchor, drain, pending: () => queue.length + inFlight };
}

function offendingRecord(error: unknown, batch: Pending[]): Pending | undefined {
  if (!(error instanceof MedledgerError)) return undefined;
  const decoded = (error as MedledgerError & { contractError?: { args: readonly unknown[] } }).contractError;
  // Every Records error names the offending record first.
  const recordId = decoded?.args[0];
  if (typeof recordId !== 'string') return undefined;
  return batch.find((item) => item.leaf.recordId.toLowerCase() === recordId.toLowerCase());
}
