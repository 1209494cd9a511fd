/**
 * The anchorer: records waiting to be anchored are gathered into batches, one transaction each
 * (see `batchSender.ts`). A record is acknowledged only when its batch is in a block.
 *
 * The contract refuses a whole batch for one bad record, naming its id; the anchorer then fails
 * that record's request alone and sends the rest again.
 */
import { cidFromDigest, type RecordLeaf } from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import type { Hex } from 'viem';
import { contractErrorArgs, createBatchSender } from './batchSender.ts';
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
  async function send(batch: AnchorRequest[]): Promise<AnchorReceipt[]> {
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
    return rows.map((row) => ({
      blockNumber: Number(sent.blockNumber),
      transactionHash: sent.hash,
      organisationId: row.organisationId,
    }));
  }

  const sender = createBatchSender<AnchorRequest, AnchorReceipt>({
    send,
    // Every Records error names the offending record first.
    offenders: (error, batch) => {
      const recordId = contractErrorArgs(error)?.[0];
      if (typeof recordId !== 'string') return [];
      const named = batch.filter((item) => item.leaf.recordId.toLowerCase() === recordId.toLowerCase());
      // One record twice in a batch (uploaded twice at once, as by a resumed import): the first would
      // be anchored, the others are the duplicates. Sent again, the first is blamed if it was anchored
      // before this batch.
      const duplicate = (error as { contractError?: { name?: string } }).contractError?.name;
      return duplicate === 'RecordsAlreadyAnchored' && named.length > 1 ? named.slice(1) : named;
    },
    maxBatchSize,
    maxInFlight,
  });

  return { anchor: sender.submit, drain: sender.drain, pending: sender.pending };
}
