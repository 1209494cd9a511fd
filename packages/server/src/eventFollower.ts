/**
 * The event follower reads the chain's events behind the indexer (never past the block the indexer
 * has stored, so rules can look up rows of the same range) into the emergency index and the
 * notifications. Each of the two keeps its own cursor, moved atomically with what it stored, and
 * stored notifications are keyed by their event, so a crash anywhere repeats work but never loses
 * or doubles a notification.
 */
import type { LedgerClient } from '@medledger/ledger';
import { type LedgerEvent, type NotificationRules, notificationsOfEvents } from './notificationRules.ts';
import type { Notifier } from './notifier.ts';
import { createPeriodicTask, type Exclusive } from './periodicTask.ts';
import type { EmergencyIndexUpdate, EmergencyStore } from './store/emergencyStore.ts';
import type { GatewayStore } from './store/gatewayStore.ts';

export interface EventFollowerOptions {
  ledger: LedgerClient;
  store: GatewayStore;
  emergencies: EmergencyStore;
  notifier: Notifier;
  rules?: NotificationRules;
  /** Taken around each run, so that one process of those sharing the store runs it at a time. */
  exclusive?: Exclusive;
  intervalMs?: number;
  /** Blocks per `eth_getLogs` request. */
  maxRange?: number;
  onError?: (error: unknown) => void;
}

export type EventFollower = ReturnType<typeof createEventFollower>;

export function createEventFollower(options: EventFollowerOptions) {
  const { ledger, store, emergencies, notifier, rules, intervalMs = 200, maxRange = 5_000 } = options;
  const beforeDeployment = Number(ledger.deployment.deployedAtBlock) - 1;

  /** Follows every block the indexer has stored; resolves when both cursors have reached it. */
  async function followOnce(): Promise<void> {
    const indexed = await store.indexedBlock();
    if (indexed === null) return;
    let emergencyAt = (await emergencies.emergencyIndexedBlock()) ?? beforeDeployment;
    let notifiedAt = (await notifier.notifiedBlock()) ?? beforeDeployment;
    for (let from = Math.min(emergencyAt, notifiedAt) + 1; from <= indexed; ) {
      const to = Math.min(from + maxRange - 1, indexed);
      const events = await ledger.events(BigInt(from), BigInt(to));
      if (emergencyAt < to) {
        const after = emergencyAt;
        await emergencies.applyEmergencyIndex(
          await toEmergencyIndexUpdate(
            ledger,
            events.filter((event) => Number(event.blockNumber) > after),
            to,
          ),
        );
        emergencyAt = to;
      }
      if (notifiedAt < to) {
        const after = notifiedAt;
        const drafts = await notificationsOfEvents(
          events.filter((event) => Number(event.blockNumber) > after),
          { store, emergencies },
          rules,
        );
        await notifier.add(drafts, to);
        notifiedAt = to;
      }
      from = to + 1;
    }
  }

  const task = createPeriodicTask(followOnce, intervalMs, options.onError, options.exclusive);
  return { sync: task.runNow, start: task.start, stop: task.stop };
}

/** The emergency index changes of `events`, which all lie at or before `toBlock`. */
export async function toEmergencyIndexUpdate(
  ledger: LedgerClient,
  events: readonly LedgerEvent[],
  toBlock: number,
): Promise<EmergencyIndexUpdate> {
  const update: EmergencyIndexUpdate = {
    toBlock,
    declarations: [],
    reviews: [],
    privileges: [],
    windows: [],
  };
  for (const event of events) {
    switch (event.eventName) {
      case 'EmergencyDeclared':
        update.declarations.push({
          emergencyId: Number(event.args.emergencyId),
          member: event.args.member,
          patient: event.args.patient,
          organisationId: event.args.organisationId,
          reasonCode: event.args.reasonCode,
          justificationHash: event.args.justificationHash,
          declaredAt: Number(event.args.declaredAt),
          expiresAt: Number(event.args.expiresAt),
          blockNumber: Number(event.blockNumber),
          transactionHash: event.transactionHash,
        });
        break;
      case 'EmergencyReviewed': {
        // The event leaves the time to its block; reviews are rare, so asking for it costs little.
        const block = await ledger.block(event.blockNumber);
        update.reviews.push({
          emergencyId: Number(event.args.emergencyId),
          verdict: event.args.verdict,
          reviewer: event.args.reviewer,
          reviewedAt: Number(block.timestamp),
        });
        break;
      }
      case 'EmergencyPrivilegeSet':
        update.privileges.push({
          member: event.args.member,
          organisationId: event.args.organisationId,
          privileged: event.args.privileged,
        });
        break;
      case 'EmergencyWindowChanged':
        update.windows.push({
          version: Number(event.args.version),
          windowSeconds: Number(event.args.windowSeconds),
        });
        break;
    }
  }
  return update;
}
