/**
 * The audit log: every access decision, allowed or denied, is written before the caller learns
 * the outcome. Events that arrive together are committed in one transaction (group commit), so
 * thousands of decisions per second cost a few disk syncs, and `record()` resolves only once its
 * event is durable.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEventRow, GatewayStore } from './store/gatewayStore.ts';

export type AuditEventInput = Omit<AuditEventRow, 'eventId' | 'recordedAt'>;

export type AuditLog = ReturnType<typeof createAuditLog>;

export interface AuditLogOptions {
  /**
   * Told of each batch once it is durable, after its callers were answered (e.g. to alert patients
   * of refusals, `refusalAlerts.ts`): it must not throw, and what it does is off the decision path.
   */
  onCommitted?: (events: readonly AuditEventRow[]) => void;
}

export function createAuditLog(store: GatewayStore, { onCommitted }: AuditLogOptions = {}) {
  let pending: { event: AuditEventRow; settle: (error?: unknown) => void }[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = pending;
    pending = [];
    try {
      await store.appendAuditEvents(batch.map((item) => item.event));
    } catch (error) {
      for (const item of batch) item.settle(error);
      return;
    }
    for (const item of batch) item.settle();
    onCommitted?.(batch.map((item) => item.event));
  }

  function record(input: AuditEventInput): Promise<AuditEventRow> {
    const event: AuditEventRow = { eventId: randomUUID(), recordedAt: Date.now(), ...input };
    return new Promise((resolve, reject) => {
      pending.push({ event, settle: (error) => (error ? reject(error) : resolve(event)) });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  }

  return { record };
}
