/**
 * A paged, filtered view of access events (a patient's history, an organisation's activity): the
 * gateway pages them newest first (`GET /api/audit`, 50 a page); filters by outcome, who acted,
 * category and dates; and "Export CSV" writes every event the filters match, all pages, into a file
 * made in this browser.
 */

import type { AuditEvent } from '@medledger/api';
import type { AuditParameters } from '@medledger/client';
import { type Category, categories } from '@medledger/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { isAddress } from 'viem';
import { auditEventsCsv } from '../audit/auditCsv.ts';
import { Button, ChipGroup, Field, Notice, Spinner, useAction, useLoad } from '../components/ui.tsx';
import { plainError } from '../errors.ts';
import { useSession } from '../session.tsx';
import { categoryLabels } from './Chart.tsx';

type Outcome = 'all' | 'allowed' | 'denied';

interface Filters {
  outcome: Outcome;
  actor: string;
  category: Category | '';
  /** `YYYY-MM-DD` (a date input's value) or empty. */
  from: string;
  to: string;
}

const noFilters: Filters = { outcome: 'all', actor: '', category: '', from: '', to: '' };

/** The client's query for `filters`: dates are whole local days, `to` included. */
function queryOf(filters: Filters, scope: { organisation?: number }): AuditParameters {
  const day = (value: string, after = 0) => {
    const [year, month, date] = value.split('-').map(Number);
    return new Date(year ?? 0, (month ?? 1) - 1, (date ?? 1) + after);
  };
  return {
    ...(scope.organisation === undefined ? {} : { organisation: scope.organisation }),
    ...(filters.outcome === 'all' ? {} : { outcome: filters.outcome }),
    ...(filters.actor ? { actor: filters.actor as `0x${string}` } : {}),
    ...(filters.category ? { category: filters.category } : {}),
    ...(filters.from ? { since: day(filters.from) } : {}),
    ...(filters.to ? { until: day(filters.to, 1) } : {}),
  };
}

export function AuditHistory(props: {
  /** An organisation's activity (its admin); otherwise the signed-in patient's own history. */
  organisation?: number;
  /** Changes to fetch the page again. */
  refresh?: number;
  /** Name of the CSV file, without extension. */
  exportName: string;
  table: (events: AuditEvent[]) => ReactNode;
}) {
  const { client } = useSession();
  const scope = props.organisation === undefined ? {} : { organisation: props.organisation };
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [draftError, setDraftError] = useState<string>();
  // The cursor of each page seen so far: [undefined] is the newest page.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;
  const before = cursors[page];
  const events = useLoad(
    () => client.audit({ ...queryOf(filters, scope), ...(before ? { before } : {}) }),
    [client, filters, before, props.organisation, props.refresh],
  );
  const [exported, setExported] = useState<number>();
  const exportCsv = useAction(async () => {
    setExported(undefined);
    const all = await client.auditAll(queryOf(filters, scope));
    const url = URL.createObjectURL(new Blob([auditEventsCsv(all)], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${props.exportName}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setExported(all.length);
  });

  const apply = (next: Filters) => {
    setFilters(next);
    setCursors([undefined]);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const actor = draft.actor.trim();
    if (actor && !isAddress(actor))
      return setDraftError('“Who” must be an account address (0x and 40 hex digits).');
    if (draft.from && draft.to && draft.from > draft.to) return setDraftError('“From” is after “To”.');
    setDraftError(undefined);
    apply({ ...draft, actor, outcome: filters.outcome });
  };
  const set = (change: Partial<Filters>) => setDraft({ ...draft, ...change });

  return (
    <div className="stack audit-history">
      <ChipGroup
        legend="Which decisions to show"
        value={filters.outcome === 'denied' ? 'refused' : filters.outcome}
        options={[
          ['all', 'All decisions'],
          ['allowed', 'Allowed'],
          ['refused', 'Refused attempts'],
        ]}
        onChange={(value) => {
          setDraft({ ...draft, outcome: value === 'refused' ? 'denied' : value });
          apply({ ...filters, outcome: value === 'refused' ? 'denied' : value });
        }}
      />
      <form className="audit-filters" onSubmit={onSubmit} aria-label="Filter the events">
        <Field label="Who (account address)">
          {(id) => (
            <input
              id={id}
              value={draft.actor}
              placeholder="0x…"
              spellCheck={false}
              autoComplete="off"
              onChange={(e) => set({ actor: e.target.value })}
            />
          )}
        </Field>
        <Field label="Category">
          {(id) => (
            <select
              id={id}
              value={draft.category}
              onChange={(e) => set({ category: e.target.value as Category | '' })}
            >
              <option value="">Any category</option>
              {categories.map((category) => (
                <option key={category} value={category}>
                  {categoryLabels[category]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="From">
          {(id) => (
            <input id={id} type="date" value={draft.from} onChange={(e) => set({ from: e.target.value })} />
          )}
        </Field>
        <Field label="To">
          {(id) => (
            <input id={id} type="date" value={draft.to} onChange={(e) => set({ to: e.target.value })} />
          )}
        </Field>
        <div className="audit-filter-actions">
          <Button type="submit" kind="secondary">
            Apply filters
          </Button>
          <Button
            kind="ghost"
            onClick={() => {
              setDraft(noFilters);
              setDraftError(undefined);
              apply(noFilters);
            }}
          >
            Clear filters
          </Button>
          <Button
            kind="secondary"
            onClick={() => void exportCsv.run()}
            busy={exportCsv.busy}
            busyLabel="Exporting…"
          >
            Export CSV
          </Button>
        </div>
      </form>
      {draftError && <Notice kind="error">{draftError}</Notice>}
      {exportCsv.error && <Notice kind="error">{exportCsv.error}</Notice>}
      {exported !== undefined && (
        <Notice kind="success">{`Exported ${exported} events to ${props.exportName}.csv.`}</Notice>
      )}
      {events.loading && !events.data && <Spinner label="Loading events…" />}
      {events.error ? <Notice kind="error">{plainError(events.error)}</Notice> : null}
      {events.data && props.table(events.data.events)}
      <nav className="pager" aria-label="Pages of events">
        <Button kind="ghost" disabled={page === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </Button>
        <span aria-live="polite">Page {page + 1}</span>
        <Button
          kind="ghost"
          disabled={!events.data?.nextCursor}
          onClick={() => {
            const next = events.data?.nextCursor;
            if (next) setCursors([...cursors, next]);
          }}
        >
          Older →
        </Button>
      </nav>
    </div>
  );
}
