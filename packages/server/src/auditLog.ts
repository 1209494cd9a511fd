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

export function createAuditLog(store: GatewayStore) {
  let pending: { event: AuditEventRow; settle: (error?: unknown) => void }[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = pending;
    pending = [];
    try {
      await store.appendAuditEvents(batch.map((item) => item.event));
      for (const item of batch) item.settle();
    } catch (error) {
      for (const item of batch) item.settle(error);
    }
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
