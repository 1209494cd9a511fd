/**
 * Re-applying the relay journal: what the gateway acknowledged (or sent) that the chain it reads
 * now does not hold is sent again, in the order it was journaled.
 *
 * - A mined entry still holds when its block's hash is unchanged. Mined entries are checked from
 *   the highest block down; the first that holds proves every lower block (each block commits to
 *   its parent), so only the rewound tail is read. That proof needs every mined mark to come from
 *   the chain as it was before the rewind: a relay whose transaction was confirmed after the chain
 *   went away (held writes) leaves its entry pending for recovery (see `ledgerClient.ts`).
 * - An entry is taken once even when its relay marked it mined while recovery read the journal.
 * - A pending entry (journaled, fate unknown) is mined if its last transaction has a receipt.
 * - Anything else is sent again. The chain refusing it says why: a used nonce means the action is
 *   on chain already (superseded), and so does an already revoked grant for a revocation (which
 *   uses no nonce: it cannot take effect twice), a passed deadline means it cannot be applied any more (expired,
 *   its author is told); in a batch, items already on chain are dropped and the rest sent again.
 */
import { MedledgerError } from '@medledger/core';
import { decodeFunctionData, encodeFunctionData, type Hex, parseEventLogs } from 'viem';
import type { ActionJournal, ActionOutcome, JournalEntry } from './actionJournal.ts';
import {
  type DecodedContractError,
  decodeContractError,
  type LedgerContractErrorName,
} from './contractErrors.ts';
import { combinedAbi } from './ledgerAbis.ts';
import { type LedgerClient, RevertedOnChainError } from './ledgerClient.ts';

export interface JournalRecoveryReport {
  /** Mined entries whose block the chain no longer holds. */
  rewound: number;
  /** Entries sent again and mined. */
  reapplied: number;
  /** Pending entries found mined after all. */
  foundMined: number;
  /** Entries that ended without being applied as journaled. */
  unapplied: { entry: JournalEntry; outcome: ActionOutcome; detail: string }[];
  /** The highest block of an entry that still held (the point the chain was rewound to), if any. */
  intactBlock: number | undefined;
}

/** Batch functions whose items the chain judges one by one; an item already there is dropped. */
const batchFunctions: Record<string, { alreadyThere: LedgerContractErrorName }> = {
  anchorRecords: { alreadyThere: 'RecordsAlreadyAnchored' },
  coSignRecords: { alreadyThere: 'CoSignaturesAlreadySigned' },
};

/**
 * @example
 * const report = await recoverJournal(ledger, journal);
 * for (const { entry, outcome } of report.unapplied) notifyAuthor(entry.author, outcome);
 */
export async function recoverJournal(
  ledger: LedgerClient,
  journal: ActionJournal,
): Promise<JournalRecoveryReport> {
  const report: JournalRecoveryReport = {
    rewound: 0,
    reapplied: 0,
    foundMined: 0,
    unapplied: [],
    intactBlock: undefined,
  };
  ledger.journaled.resetNonce();
  // Pending first: an entry whose relay marks it mined while this runs is then in one list or the
  // other (an entry only ever goes from pending to mined), never in neither.
  const pending = await journal.pending();
  const rewound = await rewoundEntries(ledger, journal, report);
  report.rewound = rewound.length;
  const entries = [...new Map([...rewound, ...pending].map((entry) => [entry.id, entry])).values()].sort(
    (a, b) => a.id - b.id,
  );
  for (const entry of entries) {
    if (entry.status === 'pending' && (await foundMined(ledger, entry))) {
      report.foundMined += 1;
      continue;
    }
    await reapply(ledger, journal, entry, report);
  }
  return report;
}

/**
 * Applies the pending actions of gateway processes that ended (several processes sharing one
 * journal): each is confirmed if its transaction was mined, else sent again. Unlike
 * `recoverJournal` it leaves this process's own actions, under way, alone.
 */
export async function adoptOrphanedActions(
  ledger: LedgerClient,
  journal: ActionJournal,
): Promise<JournalRecoveryReport> {
  const report: JournalRecoveryReport = {
    rewound: 0,
    reapplied: 0,
    foundMined: 0,
    unapplied: [],
    intactBlock: undefined,
  };
  for (const entry of await journal.orphaned()) {
    if (await foundMined(ledger, entry)) {
      report.foundMined += 1;
      continue;
    }
    await reapply(ledger, journal, entry, report);
  }
  return report;
}

async function rewoundEntries(
  ledger: LedgerClient,
  journal: ActionJournal,
  report: JournalRecoveryReport,
): Promise<JournalEntry[]> {
  const rewound: JournalEntry[] = [];
  let before = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const page = await journal.minedBefore(before, 200);
    if (!page.length) return rewound;
    for (const entry of page) {
      const hash = await ledger.blockHash(BigInt(entry.blockNumber as number));
      if (hash && hash.toLowerCase() === entry.blockHash?.toLowerCase()) {
        report.intactBlock = entry.blockNumber as number;
        return rewound;
      }
      rewound.push(entry);
    }
    before = page[page.length - 1]?.blockNumber as number;
  }
}

/** A pending entry whose last transaction is mined on the chain as it is now: marked mined. */
async function foundMined(ledger: LedgerClient, entry: JournalEntry): Promise<boolean> {
  if (!entry.transactionHash) return false;
  const receipt = await ledger.journaled.receipt(entry.transactionHash);
  if (!receipt) return false;
  if (receipt.status !== 'success') return false;
  await ledger.journaled.confirm(entry.id, {
    hash: entry.transactionHash,
    blockNumber: receipt.blockNumber,
    receipt,
    events: parseEventLogs({ abi: combinedAbi, logs: receipt.logs }),
  });
  return true;
}

async function reapply(
  ledger: LedgerClient,
  journal: ActionJournal,
  entry: JournalEntry,
  report: JournalRecoveryReport,
): Promise<void> {
  let data = entry.data;
  for (;;) {
    try {
      await ledger.journaled.estimate(entry.to, data);
      await ledger.journaled.resend(entry.id, entry.to, data, entry.gas);
      report.reapplied += 1;
      return;
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal && !(error instanceof RevertedOnChainError)) {
        throw error; // the chain went away again: recovery is retried from the journal
      }
      const narrowed = refusal && withoutItemAlreadyThere(entry.functionName, data, refusal);
      if (narrowed === null) {
        // Every item of the batch is on chain already.
        await settle(ledger, journal, entry, 'superseded', `${refusal?.name}`, report, false);
        return;
      }
      if (narrowed) {
        data = narrowed;
        continue;
      }
      const outcome: ActionOutcome =
        refusal?.name === 'SignedActionNonceUsed' || refusal?.name === 'ConsentsAlreadyRevoked'
          ? 'superseded'
          : refusal?.name === 'SignedActionExpired'
            ? 'expired'
            : 'failed';
      const detail = refusal
        ? `${refusal.name}(${refusal.args.map(String).join(', ')})`
        : error instanceof MedledgerError
          ? error.shortMessage
          : String(error);
      await settle(ledger, journal, entry, outcome, detail, report, outcome !== 'superseded');
      return;
    }
  }
}

async function settle(
  ledger: LedgerClient,
  journal: ActionJournal,
  entry: JournalEntry,
  outcome: ActionOutcome,
  detail: string,
  report: JournalRecoveryReport,
  reported: boolean,
): Promise<void> {
  await journal.settle(entry.id, outcome, detail);
  ledger.journaled.reject(
    entry.id,
    new MedledgerError(`The action could not be applied again after the ledger was rewound (${outcome}).`, {
      reason: `action_${outcome}`,
      details: detail,
    }),
  );
  if (reported) report.unapplied.push({ entry, outcome, detail });
}

/** The contract's refusal carried by a ledger error (or by the revert it wraps). */
function refusalOf(error: unknown): DecodedContractError | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const found = (current as { contractError?: DecodedContractError }).contractError;
    if (found) return found;
    current = (current as { cause?: unknown }).cause;
  }
  return decodeContractError(error);
}

/**
 * For a batch refused because one item is already on chain: the call data without that item;
 * `null` when no item would remain; undefined when the refusal is of another kind.
 */
function withoutItemAlreadyThere(
  functionName: string,
  data: Hex,
  refusal: DecodedContractError,
): Hex | null | undefined {
  if (batchFunctions[functionName]?.alreadyThere !== refusal.name) return undefined;
  const recordId = String(refusal.args[0]).toLowerCase();
  const signer = refusal.args[1] === undefined ? undefined : String(refusal.args[1]).toLowerCase();
  const call = decodeFunctionData({ abi: combinedAbi, data });
  const items = call.args?.[0] as readonly { record: { recordId: Hex }; signer?: Hex }[];
  const remaining = items.filter(
    (item) =>
      item.record.recordId.toLowerCase() !== recordId ||
      (signer !== undefined && item.signer?.toLowerCase() !== signer),
  );
  if (remaining.length === items.length) return undefined;
  if (!remaining.length) return null;
  return encodeFunctionData({
    abi: combinedAbi,
    functionName: call.functionName,
    args: [remaining],
  } as Parameters<typeof encodeFunctionData>[0]);
}
