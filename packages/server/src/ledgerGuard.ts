/**
 * The ledger guard: the gateway never trusts the chain to stay put.
 *
 * It keeps a checkpoint, the highest block (number and hash) of what the gateway acknowledged
 * (the relay journal's mined entries) and indexed, and checks at every indexer poll, and before
 * any key is released, that the chain still holds it. When it does not (a restored old state file,
 * an anvil that lost its last seconds, a rewrite or a fork) or after a restart with actions whose
 * fate is unknown, the guard fails closed at once: every chain-dependent request answers 503
 * (`ledger_recovering`) and no write is relayed. It then re-applies the journal in order, rebuilds
 * the index from the chain, tells the organisation's admins, and serves again only when the chain
 * holds every acknowledged action.
 */
import { LedgerUnavailableError } from '@medledger/core';
import {
  adoptOrphanedActions,
  type JournalRecoveryReport,
  type LedgerClient,
  ledgerRecovering,
  recoverJournal,
} from '@medledger/ledger';
import type { Address, Hex } from 'viem';
import type { Exclusive } from './periodicTask.ts';
import type { NotificationDraft } from './store/notificationStore.ts';
import type { SqlActionJournal } from './store/sqlActionJournal.ts';

export type LedgerState = 'ok' | 'recovering' | 'unavailable';

export interface Checkpoint {
  blockNumber: number;
  blockHash: Hex;
}

export interface LedgerGuardOptions {
  ledger: LedgerClient;
  journal: SqlActionJournal;
  /** The indexed checkpoint, as stored with the index. */
  indexedCheckpoint(): Promise<Checkpoint | undefined>;
  /**
   * Rebuilds the index from the chain (everything after `intactBlock` may have changed); resolves
   * with the record ids that were indexed before and are not on the chain any more.
   */
  reindex(intactBlock: number | undefined): Promise<Hex[]>;
  /** The admins of the organisations this gateway hosts. */
  admins(): Promise<Address[]>;
  notify(drafts: NotificationDraft[]): Promise<void>;
  log: {
    warn(data: object, message: string): void;
    error(data: object, message: string): void;
  };
  /** Milliseconds between attempts while the chain cannot be read. */
  retryMs?: number;
  /**
   * Taken around each recovery, so that one process of those sharing the store recovers at a time;
   * the next one finds the journal re-applied and the index rebuilt.
   */
  exclusive?: Exclusive;
}

export type LedgerGuard = ReturnType<typeof createLedgerGuard>;

export interface RecoveryOutcome {
  rewound: boolean;
  report: JournalRecoveryReport;
  missingRecords: Hex[];
  durationMs: number;
}

export function createLedgerGuard(options: LedgerGuardOptions) {
  const { ledger, journal, log, retryMs = 500 } = options;
  let state: LedgerState = 'recovering';
  let recovering: Promise<RecoveryOutcome> | undefined;
  let stopped = false;
  /** The hash of a head block seen to hold the checkpoint (checked after it was read). */
  let intactHead: string | undefined;

  const recoveringError = () =>
    new LedgerUnavailableError(
      'The gateway is checking the ledger against what it acknowledged and re-applying what is missing; try again shortly.',
      { reason: ledgerRecovering },
    );

  /** The highest block whose hash the gateway relies on. */
  async function checkpoint(): Promise<Checkpoint | undefined> {
    const mined = await journal.latestMined();
    const indexed = await options.indexedCheckpoint();
    const fromJournal =
      mined?.blockNumber != null && mined.blockHash
        ? { blockNumber: mined.blockNumber, blockHash: mined.blockHash }
        : undefined;
    if (!fromJournal) return indexed;
    if (!indexed) return fromJournal;
    return indexed.blockNumber >= fromJournal.blockNumber ? indexed : fromJournal;
  }

  /** Whether the chain still holds the checkpoint. Throws when the chain cannot be read. */
  async function holdsCheckpoint(): Promise<boolean> {
    const point = await checkpoint();
    if (!point) return true;
    const hash = await ledger.blockHash(BigInt(point.blockNumber));
    return hash?.toLowerCase() === point.blockHash.toLowerCase();
  }

  /**
   * Checked before anything that trusts the chain (every indexer run, every key release): throws
   * `ledger_recovering` (and starts recovery) when the chain no longer holds the checkpoint.
   */
  async function assertIntact(headHash?: Hex): Promise<void> {
    if (state !== 'ok') throw recoveringError();
    // A block's hash commits to every block below it: a head already seen to hold the checkpoint
    // still holds it, with no read.
    if (headHash && headHash.toLowerCase() === intactHead) return;
    if (await holdsCheckpoint()) {
      if (headHash) intactHead = headHash.toLowerCase();
      return;
    }
    if (state === 'ok') {
      log.error(
        {},
        'the chain no longer holds what this gateway acknowledged: serving stops until it is recovered',
      );
      void recover('rewound');
    }
    throw recoveringError();
  }

  /** Throws unless the gateway is serving (used by every chain-dependent route). */
  function assertServing(): void {
    if (state !== 'ok') throw recoveringError();
  }

  /** The chain went away (e.g. the embedded node died): nothing is served until `recover` ends. */
  function markUnavailable(): void {
    state = 'recovering';
    intactHead = undefined;
    ledger.journaled.holdWrites(recoveringError());
  }

  /**
   * Re-applies the journal and rebuilds the index if needed; retried until the chain can be read.
   * One recovery at a time: callers during a run share it.
   */
  function recover(cause: 'start' | 'rewound' | 'restarted'): Promise<RecoveryOutcome> {
    markUnavailable();
    recovering ??= (async () => {
      for (;;) {
        try {
          const outcome = await (options.exclusive
            ? options.exclusive(() => recoverOnce(cause))
            : recoverOnce(cause));
          state = 'ok';
          ledger.journaled.holdWrites(undefined);
          return outcome;
        } catch (error) {
          if (stopped) throw error;
          log.warn({ err: error }, 'recovering the ledger failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, retryMs));
        }
      }
    })().finally(() => {
      recovering = undefined;
    });
    return recovering;
  }

  async function recoverOnce(cause: 'start' | 'rewound' | 'restarted'): Promise<RecoveryOutcome> {
    const started = Date.now();
    const indexedBefore = await options.indexedCheckpoint();
    const indexHolds = indexedBefore
      ? (await ledger.blockHash(BigInt(indexedBefore.blockNumber)))?.toLowerCase() ===
        indexedBefore.blockHash.toLowerCase()
      : false;
    const report = await recoverJournal(ledger, journal);
    const rewound = report.rewound > 0 || (indexedBefore !== undefined && !indexHolds);
    let missingRecords: Hex[] = [];
    if (rewound || !indexedBefore) {
      const intact = indexHolds ? indexedBefore?.blockNumber : report.intactBlock;
      missingRecords = await options.reindex(intact);
    }
    const outcome = { rewound, report, missingRecords, durationMs: Date.now() - started };
    if (rewound || report.reapplied || report.unapplied.length || missingRecords.length) {
      log.warn(
        {
          cause,
          rewound,
          rewoundActions: report.rewound,
          reapplied: report.reapplied,
          foundMined: report.foundMined,
          unapplied: report.unapplied.length,
          missingRecords: missingRecords.length,
          durationMs: outcome.durationMs,
        },
        'ledger recovered',
      );
      await tell(outcome);
    }
    return outcome;
  }

  /** Notifications: the admins of a rewind and of what could not be re-applied; each author of its own action. */
  async function tell(outcome: RecoveryOutcome): Promise<void> {
    const at = Date.now();
    const drafts: NotificationDraft[] = [];
    if (outcome.rewound || outcome.missingRecords.length) {
      for (const admin of await options.admins()) {
        drafts.push({
          recipient: admin,
          kind: 'ledger-rewound',
          key: `ledger-rewound:${at}:${admin}`,
          data: {
            rewoundActions: outcome.report.rewound,
            reapplied: outcome.report.reapplied,
            unapplied: outcome.report.unapplied.length,
            missingRecords: outcome.missingRecords.slice(0, 50),
            intactBlock: outcome.report.intactBlock ?? null,
          },
        });
      }
    }
    for (const { entry, outcome: result, detail } of outcome.report.unapplied) {
      if (!entry.author) continue;
      drafts.push({
        recipient: entry.author,
        kind: result === 'expired' ? 'action-expired' : 'action-failed',
        key: `action-${result}:${entry.id}`,
        data: { action: entry.functionName, journalEntry: entry.id, detail },
      });
    }
    if (drafts.length) await options.notify(drafts);
  }

  /**
   * Several processes on one store: applies the pending actions of processes that ended (their
   * callers were never answered, but the actions were journaled) and tells their authors of any that
   * could not be applied. One process at a time, as recovery.
   */
  async function adoptOrphans(): Promise<void> {
    if (state !== 'ok') return;
    const adopt = async () => {
      const started = Date.now();
      const report = await adoptOrphanedActions(ledger, journal);
      if (!report.reapplied && !report.foundMined && !report.unapplied.length) return;
      log.warn(
        { reapplied: report.reapplied, foundMined: report.foundMined, unapplied: report.unapplied.length },
        'took over the pending actions of a gateway process that ended',
      );
      await tell({ rewound: false, report, missingRecords: [], durationMs: Date.now() - started });
    };
    await (options.exclusive ? options.exclusive(adopt) : adopt());
  }

  return {
    state: () => state,
    adoptOrphans,
    checkpoint,
    assertIntact,
    assertServing,
    markUnavailable,
    recover,
    pendingActions: () => journal.pendingCount(),
    stop() {
      stopped = true;
    },
  };
}
