import type { AuditEvent, AuditEventList } from '@medledger/api';
import type { Category } from '@medledger/core';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';

/** Which access events `audit` asks for, and which page of them. */
export interface AuditParameters {
  /** The patient whose history (the caller itself; the default). */
  patient?: Address;
  /** An organisation whose members' activity its admin sees. */
  organisation?: number;
  outcome?: 'allowed' | 'denied';
  /** Who acted. */
  actor?: Address;
  category?: Category;
  /** Recorded at or after. */
  since?: Date;
  /** Recorded before. */
  until?: Date;
  /** Events per page, 1 to 200 (the gateway's default: 50). */
  limit?: number;
  /** The `nextCursor` of the page before. */
  before?: string;
}

/**
 * One page (newest first) of the access events this identity may see: its own record's (as a
 * patient), or an organisation's (as its admin), filtered by outcome, actor, category and time;
 * `nextCursor` asks for the next, older page (`before`), null after the last.
 *
 * @example
 * const { events, nextCursor } = await audit(patient, { outcome: 'denied', limit: 100 });
 */
export function audit(client: Transport, query: AuditParameters = {}): Promise<AuditEventList> {
  const params = new URLSearchParams();
  if (query.patient) params.set('patient', query.patient.toLowerCase());
  if (query.organisation) params.set('organisation', String(query.organisation));
  if (query.outcome) params.set('outcome', query.outcome);
  if (query.actor) params.set('actor', query.actor.toLowerCase());
  if (query.category) params.set('category', query.category);
  if (query.since) params.set('since', query.since.toISOString());
  if (query.until) params.set('until', query.until.toISOString());
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.before) params.set('before', query.before);
  return client.call<AuditEventList>('GET', `/api/audit?${params}`);
}

/**
 * Every access event `query` matches, all pages followed (newest first), e.g. for an export.
 *
 * @example
 * const denied = await auditAll(patient, { outcome: 'denied' });
 */
export async function auditAll(
  client: Transport,
  query: Omit<AuditParameters, 'before' | 'limit'> = {},
): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let before: string | undefined;
  do {
    const page = await audit(client, { ...query, limit: 200, ...(before ? { before } : {}) });
    events.push(...page.events);
    before = page.nextCursor ?? undefined;
  } while (before);
  return events;
}
