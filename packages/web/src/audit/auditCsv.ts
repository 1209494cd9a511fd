/**
 * Access events as CSV (RFC 4180), for a spreadsheet. Cells are quoted when they hold a comma,
 * quote or line break, and a cell a spreadsheet would run as a formula (starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return) is prefixed with `'` so that it stays text (CSV injection).
 */
import type { AuditEvent } from '@medledger/api';

/** The header row and one row per event, in the order given. */
export const auditCsvColumns = [
  'recorded_at',
  'actor',
  'patient',
  'action',
  'category',
  'sensitivity',
  'purpose',
  'outcome',
  'reason',
  'record_id',
  'event_id',
] as const;

/** One CSV cell: formula-like text neutralised, then quoted if it must be. */
export function csvCell(value: string | null): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function auditEventsCsv(events: readonly AuditEvent[]): string {
  const rows = events.map((event) =>
    [
      event.recordedAt,
      event.actor,
      event.patient,
      event.action,
      event.category,
      event.sensitivity,
      event.purpose,
      event.outcome,
      event.reason,
      event.recordId,
      event.eventId,
    ].map(csvCell),
  );
  return [auditCsvColumns.join(','), ...rows.map((row) => row.join(','))].join('\r\n').concat('\r\n');
}
