/**
 * The emergency watcher audits the start and the end of each emergency declared by a member of an
 * organisation this gateway hosts (its own audit log is the one the organisation anchors), and
 * tells the patient and the member when one ends. An emergency ends at its deadline, judged by the
 * gateway's clock or the chain's, whichever is later, or when an admin judges it unjustified.
 *
 * Audit events carry the purpose of use BTG ("break the glass"): `emergency-start` when the window
 * opens, `emergency-end` when it closes. Each is written at least once (a crash between writing it
 * and marking it written repeats it).
 */
import { breakTheGlassPurpose, emergencyReasonOfCode } from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import type { AuditLog } from './auditLog.ts';
import type { Notifier } from './notifier.ts';
import { createPeriodicTask, type Exclusive } from './periodicTask.ts';
import type { EmergencyRow, EmergencyStore } from './store/emergencyStore.ts';

export interface EmergencyWatcherOptions {
  ledger: LedgerClient;
  emergencies: EmergencyStore;
  auditLog: AuditLog;
  notifier: Notifier;
  /** The organisations this gateway hosts. */
  hostedOrganisations: () => Promise<number[]>;
  /** Taken around each run, so that one process of those sharing the store runs it at a time. */
  exclusive?: Exclusive;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

export type EmergencyWatcher = ReturnType<typeof createEmergencyWatcher>;

const unjustified = 2;

export function createEmergencyWatcher(options: EmergencyWatcherOptions) {
  const { ledger, emergencies, auditLog, notifier, intervalMs = 1_000 } = options;

  /** The later of the gateway's clock and the chain's latest block (unix seconds). */
  async function now(): Promise<number> {
    const gatewayTime = Date.now() / 1000;
    try {
      return Math.max(gatewayTime, Number((await ledger.block()).timestamp));
    } catch {
      return gatewayTime;
    }
  }

  async function watchOnce(): Promise<void> {
    const waiting = await emergencies.emergenciesToAudit(await options.hostedOrganisations());
    if (!waiting.length) return;
    const time = await now();
    for (const emergency of waiting) {
      if (!emergency.startAudited) {
        await audit(emergency, 'emergency-start', startReason(emergency));
        await emergencies.markEmergencyAudited(emergency.emergencyId, 'start');
      }
      const judgedUnjustified = emergency.verdict === unjustified;
      if (judgedUnjustified || emergency.expiresAt <= time) {
        const how = judgedUnjustified ? 'unjustified' : 'expired';
        const reason = judgedUnjustified ? 'judged unjustified' : 'window over';
        await audit(emergency, 'emergency-end', `emergency ${emergency.emergencyId}: ${reason}`);
        await notifyEnd(emergency, how);
        await emergencies.markEmergencyAudited(emergency.emergencyId, 'end');
      }
    }
  }

  function audit(emergency: EmergencyRow, action: string, reason: string) {
    return auditLog.record({
      actor: emergency.member,
      patient: emergency.patient,
      action,
      recordId: null,
      category: null,
      sensitivity: null,
      purpose: breakTheGlassPurpose,
      outcome: 'allowed',
      reason,
    });
  }

  function notifyEnd(emergency: EmergencyRow, how: 'expired' | 'unjustified') {
    const data = {
      emergencyId: emergency.emergencyId,
      patient: emergency.patient,
      member: emergency.member,
      expiresAt: emergency.expiresAt,
      ended: how,
    };
    return notifier.add(
      [emergency.patient, emergency.member].map((recipient) => ({
        recipient,
        kind: 'emergency-ended',
        data,
        key: `emergency-ended:${emergency.emergencyId}:${recipient}`,
      })),
    );
  }

  const task = createPeriodicTask(watchOnce, intervalMs, options.onError, options.exclusive);
  return { sync: task.runNow, start: task.start, stop: task.stop };
}

function startReason(emergency: EmergencyRow): string {
  const reason = emergencyReasonOfCode(emergency.reasonCode) ?? `reason ${emergency.reasonCode}`;
  const until = new Date(emergency.expiresAt * 1000).toISOString();
  return `emergency ${emergency.emergencyId}: ${reason}, open until ${until}`;
}
