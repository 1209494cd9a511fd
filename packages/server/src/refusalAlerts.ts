/**
 * Alerts on refused access: when access control refuses someone other than the patient access to the
 * patient's records, the patient is told (`access-refused`): who (the address, and its organisation
 * if a member), what (the action, and the category when the question named one), when, and why (the
 * audit's reason, e.g. `no_consent`, `emergency_expired`).
 *
 * At most one alert per patient and requester per hour: the throttle is a row per pair in the
 * gateway's database, taken by one conditional upsert (`NotificationStore.addRefusalAlerts`), so it
 * holds across gateway processes sharing PostgreSQL. Refusals within the hour are counted, and the
 * next alert says how many attempts were made since the last one.
 *
 * The source is the audit log, not the decision: every refusal is audited before the requester
 * learns it. The alerter reads the committed audit events after its cursor (`refusal_alert_cursor`)
 * and stores their alerts and the moved cursor in one transaction, so each refusal is alerted once,
 * and none is lost when a process stops: the next run, in this process or another sharing the store
 * (one at a time, lock `refusal-alerts`), starts from the same cursor. It runs when the audit log
 * commits a batch with a refusal (`createAuditLog`'s `onCommitted`) and every few seconds, off the
 * decision path: a refusal is answered as soon as it is audited, whatever the alert costs.
 *
 * Not alerted: the patient's own refused actions; refusals that are not the requester's doing (the
 * chain could not be read, `ledger_unavailable`, or did not anchor the record the index named);
 * decisions that are not about the patient's records (orders' and appointments' workflow steps,
 * directory lookups). Alerts carry addresses, ids, names and times, never health content.
 */
import { categories } from '@medledger/core';
import type { Address } from 'viem';
import type { AuditEventRow } from './store/auditStore.ts';
import type { NotificationRow, NotificationStore, RefusalAlertDraft } from './store/notificationStore.ts';

/** A patient hears of one requester's refused attempts at most once in this period. */
export const refusalAlertWindowMs = 60 * 60_000;

/**
 * The audited actions that concern the patient's records: the consent actions (read, append,
 * share; FHIR reads are reads), listing them, the key backup and its recovery, and an emergency.
 */
const recordActions: ReadonlySet<string> = new Set([
  'read',
  'append',
  'share',
  'list',
  'key-backup-read',
  'key-recovery-read',
  'key-recovery-approve',
  'emergency-read',
]);

/** Refusals the requester did not cause: the chain could not be read or did not hold what the index said. */
const notTheRequestersDoing: ReadonlySet<string> = new Set([
  'ledger_unavailable',
  'record_not_on_chain',
  'record_anchor_mismatch',
]);

/** Whether the patient is alerted of this audited decision (see the module's comment). */
export function isAlertedRefusal(
  event: AuditEventRow,
): event is AuditEventRow & { patient: Address; outcome: 'denied' } {
  return (
    event.outcome === 'denied' &&
    event.patient !== null &&
    event.actor.toLowerCase() !== event.patient.toLowerCase() &&
    recordActions.has(event.action) &&
    !notTheRequestersDoing.has(event.reason ?? '')
  );
}

export interface RefusalAlertDependencies {
  store: Pick<NotificationStore, 'addRefusalAlerts'>;
  /** The organisation `address` is a member of, as the index has it; null when it is none's. */
  organisationOf: (address: Address) => Promise<number | null>;
  /** Tells the live streams (of every process sharing the store) that notifications were stored. */
  announce: () => Promise<void>;
}

/**
 * Counts the alerted refusals among `events` against their throttles at time `now` and stores the
 * alerts that are due; resolves with them.
 *
 * @example
 * await alertRefusals({ store: stores.notifications, organisationOf, announce }, events, Date.now());
 */
export async function alertRefusals(
  { store, organisationOf, announce }: RefusalAlertDependencies,
  events: readonly AuditEventRow[],
  now: number,
  /** The last audit event of `events`, to move the alerter's cursor to with the alerts. */
  throughSequence?: number,
): Promise<NotificationRow[]> {
  const refusals = events.filter(isAlertedRefusal);
  if (!refusals.length && throughSequence === undefined) return [];
  const organisations = new Map<string, Promise<number | null>>();
  const drafts: RefusalAlertDraft[] = [];
  for (const event of refusals) {
    const requester = event.actor.toLowerCase() as Address;
    let organisation = organisations.get(requester);
    if (!organisation) {
      organisation = organisationOf(requester);
      organisations.set(requester, organisation);
    }
    drafts.push({
      patient: event.patient.toLowerCase() as Address,
      requester,
      data: {
        requester,
        organisationId: await organisation,
        action: event.action,
        category: event.category === null ? null : (categories[event.category] ?? null),
        recordId: event.recordId,
        reason: event.reason,
        refusedAt: event.recordedAt,
      },
    });
  }
  const stored = await store.addRefusalAlerts(drafts, now, refusalAlertWindowMs, throughSequence);
  if (stored.length) await announce();
  return stored;
}

/** Audit events read per run of the alerter. */
const eventsPerRun = 500;

export interface RefusalAlerterDependencies extends RefusalAlertDependencies {
  store: Pick<NotificationStore, 'addRefusalAlerts' | 'refusalAlertCursor'>;
  /** The committed audit events after sequence number `after`, in order, at most `limit`. */
  auditEventsAfter: (after: number, limit: number) => Promise<AuditEventRow[]>;
}

/**
 * Alerts the refusals of every audit event after the cursor, `eventsPerRun` at a time, moving the
 * cursor with each batch's alerts. Run one at a time per store (lock `refusal-alerts`). Resolves
 * with the alerts stored.
 */
export async function alertRefusalsSinceCursor(
  dependencies: RefusalAlerterDependencies,
  now: number,
): Promise<NotificationRow[]> {
  const stored: NotificationRow[] = [];
  for (;;) {
    const cursor = await dependencies.store.refusalAlertCursor();
    const events = await dependencies.auditEventsAfter(cursor, eventsPerRun);
    const through = events.at(-1)?.sequence;
    if (through === undefined) return stored;
    stored.push(...(await alertRefusals(dependencies, events, now, through)));
    if (events.length < eventsPerRun) return stored;
  }
}
