/**
 * The co-signature anchorer: co-signatures are relayed like records, in batches of one transaction
 * each (`CoSignatures.coSignRecords`, see `batchSender.ts`); a co-signature is acknowledged once its
 * batch is in a block. Each batch is simulated first, so a co-signature the contract refuses (its
 * error names the record and the signer) fails alone and the rest are sent again.
 */
import type { RecordLeaf } from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import { contractErrorArgs, createBatchSender } from './batchSender.ts';

export interface CoSignatureRequest {
  /** The anchored record's signed fields. */
  leaf: RecordLeaf;
  signer: Address;
  /** The grant that lets a member co-signer read the record; 0 for the patient. */
  grantId: bigint;
  signature: Hex;
}

export interface CoSignatureReceipt {
  blockNumber: number;
  transactionHash: Hex;
  /** Whether the record is final once this co-signature is counted. */
  finalised: boolean;
}

export interface CoSignatureAnchorerOptions {
  ledger: LedgerClient;
  maxBatchSize?: number;
  maxInFlight?: number;
}

export type CoSignatureAnchorer = ReturnType<typeof createCoSignatureAnchorer>;

export function createCoSignatureAnchorer({
  ledger,
  maxBatchSize = 100,
  maxInFlight = 2,
}: CoSignatureAnchorerOptions) {
  const key = (recordId: string, signer: string) => `${recordId}:${signer}`.toLowerCase();

  async function send(batch: CoSignatureRequest[]): Promise<CoSignatureReceipt[]> {
    const sent = await ledger.write('coSignatures', 'coSignRecords', [
      batch.map(({ leaf, signer, grantId, signature }) => ({ record: leaf, signer, grantId, signature })),
    ]);
    const finalised = new Map<string, boolean>();
    for (const event of sent.events) {
      if (event.eventName === 'RecordCoSigned') {
        finalised.set(key(event.args.recordId, event.args.signer), event.args.finalised);
      }
    }
    return batch.map(({ leaf, signer }) => ({
      blockNumber: Number(sent.blockNumber),
      transactionHash: sent.hash,
      finalised: finalised.get(key(leaf.recordId, signer)) ?? false,
    }));
  }

  const sender = createBatchSender<CoSignatureRequest, CoSignatureReceipt>({
    send,
    // Every error of coSignRecords names the record and the signer first.
    offenders: (error, batch) => {
      const [recordId, signer] = contractErrorArgs(error) ?? [];
      if (typeof recordId !== 'string' || typeof signer !== 'string') return [];
      return batch.filter((item) => key(item.leaf.recordId, item.signer) === key(recordId, signer));
    },
    maxBatchSize,
    maxInFlight,
  });

  return { coSign: sender.submit, drain: sender.drain, pending: sender.pending };
}
