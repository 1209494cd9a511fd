/**
 * A patient's records as a timeline: each decrypted in the browser and shown readably, filterable
 * by category, with trends of repeated lab values. Used by the patient and by anyone the patient
 * shares with; what the viewer may not see is said plainly.
 */
import type { GatewayClient, RecordMetadata } from '@medledger/client';
import { type Actor, type Category, categories, derivationOfResource } from '@medledger/core';
import { type ReactNode, useMemo, useState } from 'react';
import { Badge, Card, formatTime, Notice, Spinner, useLoad } from '../components/ui.tsx';
import { isDenied, plainError } from '../errors.ts';
import { codeKey, conceptText, isObject, type Json } from '../records/fhirText.ts';
import { RecordView } from '../records/RecordView.tsx';
import { TrendChart, type TrendPoint } from '../records/TrendChart.tsx';
import { RecordSignatures, StampBadge, useStamp } from './RecordStamp.tsx';

export interface ChartEntry {
  meta: RecordMetadata;
  resource?: Json;
  error?: string;
  denied?: boolean;
}

export const categoryLabels: Record<Category, string> = {
  condition: 'Conditions',
  medication: 'Medications',
  allergy: 'Allergies',
  lab: 'Lab',
  imaging: 'Imaging',
  note: 'Notes',
  emergency: 'Emergency',
  insurance: 'Insurance',
  immunization: 'Immunizations',
  procedure: 'Procedures',
  encounter: 'Encounters',
  vitals: 'Vitals',
  demographics: 'Demographics',
  administrative: 'Administrative',
  careplan: 'Care plans',
  other: 'Other',
};

/** Lists a patient's records visible to the client and decrypts each; superseded versions are left out. */
export async function loadChart(client: GatewayClient<Actor>, patient: string): Promise<ChartEntry[]> {
  const { records } = await client.listRecords(patient as `0x${string}`);
  const current = records.filter((record) => !record.supersededBy).sort((a, b) => b.createdAt - a.createdAt);
  const entries = await Promise.all(
    current.map(async (meta): Promise<ChartEntry> => {
      try {
        const { resource } = await client.readRecord(meta.recordId);
        return { meta, resource: resource as Json };
      } catch (error) {
        return { meta, error: plainError(error), denied: isDenied(error) };
      }
    }),
  );
  return entries.sort((a, b) => clinicalTime(b) - clinicalTime(a));
}

/** When the record's content happened (taken, prescribed, recorded), else when it was written; in ms. */
function clinicalTime(entry: ChartEntry): number {
  const resource = entry.resource ?? {};
  for (const field of [
    'effectiveDateTime',
    'issued',
    'authoredOn',
    'whenHandedOver',
    'recordedDate',
    'onsetDateTime',
    'date',
  ]) {
    const value = resource[field];
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  }
  return entry.meta.createdAt * 1000;
}

export function useChart(client: GatewayClient<Actor>, patient: string) {
  return useLoad(() => loadChart(client, patient), [client, patient]);
}

/** Trends: repeated lab Observations with numeric values, grouped by test code. */
function trendsOf(entries: ChartEntry[]) {
  const groups = new Map<
    string,
    { title: string; unit: string; points: TrendPoint[]; low?: number; high?: number }
  >();
  for (const entry of entries) {
    const resource = entry.resource;
    if (resource?.resourceType !== 'Observation' || entry.meta.category !== 'lab') continue;
    const quantity = resource.valueQuantity;
    const key = codeKey(resource.code);
    if (!key || !isObject(quantity) || typeof quantity.value !== 'number') continue;
    const at =
      Date.parse(String(resource.effectiveDateTime ?? resource.issued ?? '')) || entry.meta.createdAt * 1000;
    const group = groups.get(key) ?? {
      title: conceptText(resource.code) ?? 'Result',
      unit: String(quantity.unit ?? ''),
      points: [],
    };
    group.points.push({ at, value: quantity.value });
    const range = Array.isArray(resource.referenceRange)
      ? (resource.referenceRange[0] as Json | undefined)
      : undefined;
    if (range && isObject(range.low) && typeof range.low.value === 'number') group.low = range.low.value;
    if (range && isObject(range.high) && typeof range.high.value === 'number') group.high = range.high.value;
    groups.set(key, group);
  }
  return [...groups.values()].filter((group) => group.points.length >= 2);
}

export function ChartView(props: {
  entries: ChartEntry[] | undefined;
  loading: boolean;
  error?: unknown;
  emptyText: string;
  actions?: (entry: ChartEntry) => ReactNode;
}) {
  const [filter, setFilter] = useState<Category | 'all'>('all');
  const entries = props.entries ?? [];
  const present = useMemo(
    () => categories.filter((c) => entries.some((e) => e.meta.category === c)),
    [entries],
  );
  const shown = filter === 'all' ? entries : entries.filter((e) => e.meta.category === filter);
  const trends = useMemo(() => trendsOf(shown), [shown]);
  if (props.loading && !props.entries) return <Spinner label="Fetching and decrypting records…" />;
  if (props.error)
    return <Notice kind={isDenied(props.error) ? 'denied' : 'error'}>{plainError(props.error)}</Notice>;
  if (entries.length === 0) return <p className="empty">{props.emptyText}</p>;
  return (
    <div className="chart">
      <fieldset className="filters">
        <legend className="visually-hidden">Filter by category</legend>
        <button
          type="button"
          className={`chip ${filter === 'all' ? 'chip-active' : ''}`}
          aria-pressed={filter === 'all'}
          onClick={() => setFilter('all')}
        >
          All ({entries.length})
        </button>
        {present.map((category) => (
          <button
            type="button"
            key={category}
            className={`chip ${filter === category ? 'chip-active' : ''}`}
            aria-pressed={filter === category}
            onClick={() => setFilter(category)}
          >
            {categoryLabels[category]} ({entries.filter((e) => e.meta.category === category).length})
          </button>
        ))}
      </fieldset>
      {trends.length > 0 && (
        <Card title="Trends">
          <div className="trends">
            {trends.map((trend) => (
              <TrendChart key={trend.title} {...trend} />
            ))}
          </div>
        </Card>
      )}
      <ol className="timeline">
        {shown.map((entry) => (
          <li key={entry.meta.recordId} className="timeline-item">
            <RecordCard entry={entry} actions={props.actions?.(entry)} />
          </li>
        ))}
      </ol>
    </div>
  );
}

function RecordCard(props: { entry: ChartEntry; actions?: ReactNode }) {
  const { meta, resource, error, denied } = props.entry;
  const [stamp, setStamp] = useStamp(meta);
  return (
    <article
      className="record-card"
      data-record-id={meta.recordId}
      aria-label={`${categoryLabels[meta.category]} record`}
    >
      <header className="record-header">
        <span className={`category category-${meta.category}`}>{categoryLabels[meta.category]}</span>
        <time className="muted" dateTime={new Date(meta.createdAt * 1000).toISOString()}>
          {formatTime(meta.createdAt)}
        </time>
        <StampBadge stamp={stamp} />
        {meta.sensitivity === 'restricted' && <Badge tone="warn">restricted</Badge>}
        <Badge tone="good">anchored in block {meta.blockNumber}</Badge>
        <RecordProvenance resource={resource} />
      </header>
      {resource ? (
        <RecordView resource={resource} />
      ) : (
        <Notice kind={denied ? 'denied' : 'error'}>{error}</Notice>
      )}
      <footer className="record-footer muted">
        <RecordSignatures meta={meta} stamp={stamp} readable={Boolean(resource)} onStamp={setStamp} />
        {props.actions && <span className="record-actions">{props.actions}</span>}
      </footer>
    </article>
  );
}

/** Where a copied, duplicated or moved record came from, as its resource notes it (`deriveResource`). */
export function RecordProvenance(props: { resource: Json | undefined }) {
  const origin = derivationOfResource(props.resource);
  if (!origin) return null;
  const source = `${origin.sourceRecordId.slice(0, 8)}…`;
  const text =
    origin.kind === 'copy'
      ? `copy of record ${source}${origin.reason === 'referral' ? ' for a referral' : ''}`
      : origin.kind === 'duplicate'
        ? `duplicate of record ${source}`
        : `moved here from another patient’s chart (replaces record ${source})`;
  return (
    <Badge tone="neutral">
      <span title={origin.sourceRecordId}>{text}</span>
    </Badge>
  );
}
