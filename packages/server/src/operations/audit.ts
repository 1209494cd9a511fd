/**
 * The audit operations: access decisions as their patient, or an organisation's admins, see them;
 * and what a patient needs to check its access history against the chain, offline from this
 * gateway's word: every leaf of every anchored batch (a sequence number, an event hash and a keyed
 * tag each; they say nothing about whom another event concerns), and its own events with their tags
 * and inclusion proofs. The patient rebuilds each batch's root, compares it with the chain's, and
 * recognises by their tags the leaves that are its own: each must be matched by one of its events.
 * Events not anchored yet come without a proof.
 */
import type {
  AuditBatchPage,
  AuditEvent,
  AuditEventList,
  AuditQuery,
  AuditTrailProofs,
  FhirAuditBundle,
} from '@medledger/api';
import {
  AccessDeniedError,
  type AuditBatch,
  auditEventResource,
  buildAuditBatch,
  categories,
  InvalidInputError,
  sensitivities,
} from '@medledger/core';
import type { Hex } from 'viem';
import { toAuditEventInput } from '../auditTagger.ts';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { hostedOrganisation } from '../organisations.ts';
import type { AuditQuery as StoreAuditQuery } from '../store/auditStore.ts';
import type { AuditEventRow } from '../store/gatewayStore.ts';

/** At most this many leaves per page of `auditBatches` (a page holds at least one whole batch). */
const leavesPerPage = 20_000;

/** Events per page of `GET /api/audit` unless `limit` says otherwise, and the most it may say. */
export const auditPageSize = { default: 50, max: 200 } as const;

/**
 * Access decisions: with `organisation`, those of its members, for an active admin of it (see
 * `accessControl.requireOrganisationAdmin`); otherwise those on the caller's own records (`patient`,
 * if given, must be the caller: reason `not_the_patient`). Filtered by `outcome`, `actor`,
 * `category` and the time range `since`/`until`; newest first, one page of `limit` events from the
 * cursor `before` (reasons `bad_page_size`, `bad_time_range`). As JSON, or as a FHIR R4 Bundle with
 * `format: 'fhir'`.
 */
export async function auditEvents(
  services: GatewayServices,
  session: Session,
  query: AuditQuery,
): Promise<AuditEventList | FhirAuditBundle> {
  const { store, access } = services;
  const me = session.address;
  const filters = auditFilters(query);
  const limit = filters.limit;
  let events: AuditEventRow[];
  if (query.organisation) {
    const organisationId = Number(query.organisation);
    await access.requireOrganisationAdmin(me, organisationId, 'its access activity');
    const members = await store.membersOf(organisationId);
    events = await store.auditEvents({
      ...filters,
      actors: members.map((member) => member.address),
      limit: limit + 1,
    });
  } else {
    const patient = query.patient ?? me;
    if (patient.toLowerCase() !== me.toLowerCase()) {
      throw new AccessDeniedError('A patient’s access history is shown to that patient only.', {
        reason: 'not_the_patient',
      });
    }
    events = await store.auditEvents({ ...filters, patient, limit: limit + 1 });
  }
  const page = events.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = events.length > limit && last?.sequence !== undefined ? String(last.sequence) : null;
  if (query.format !== 'fhir') return { events: page.map(describeAuditEvent), nextCursor };
  const source = { organisationId: await hostedOrganisationId(services) };
  const next = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  if (nextCursor) next.set('before', nextCursor);
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: page.length,
    ...(nextCursor ? { link: [{ relation: 'next', url: `/api/audit?${next}` }] } : {}),
    entry: page.map((event) => ({ resource: auditEventResource(event, source) })),
  };
}

/** The store's filters of an `/api/audit` query, checked. */
function auditFilters(query: AuditQuery): StoreAuditQuery & { limit: number } {
  const limit = query.limit === undefined ? auditPageSize.default : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > auditPageSize.max) {
    throw new InvalidInputError(`A page holds 1 to ${auditPageSize.max} events, not ${query.limit}.`, {
      reason: 'bad_page_size',
    });
  }
  const since = query.since === undefined ? undefined : Date.parse(query.since);
  const until = query.until === undefined ? undefined : Date.parse(query.until);
  if (Number.isNaN(since) || Number.isNaN(until)) {
    throw new InvalidInputError('The time range is not a pair of ISO 8601 times.', {
      reason: 'bad_time_range',
    });
  }
  if (since !== undefined && until !== undefined && since > until) {
    throw new InvalidInputError('The time range ends before it starts.', { reason: 'bad_time_range' });
  }
  return {
    limit,
    ...(query.outcome ? { outcome: query.outcome } : {}),
    ...(query.actor ? { actor: query.actor } : {}),
    ...(query.category ? { category: categories.indexOf(query.category) } : {}),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(query.before === undefined ? {} : { beforeSequence: Number(query.before) }),
  };
}

/** The caller's access history with leaf tags and Merkle inclusion proofs against the anchored batches. */
export async function auditProofs(services: GatewayServices, session: Session): Promise<AuditTrailProofs> {
  const { store } = services;
  const own = (await store.auditEvents({ patient: session.address, limit: 100_000 })).reverse();
  const batches = await store.auditBatches();
  const batchOf = (sequence: number) =>
    batches.find((batch) => sequence >= batch.firstSequence && sequence < batch.firstSequence + batch.count);
  const touched = [
    ...new Set(own.map((event) => batchOf(event.sequence ?? -1)).filter((batch) => batch !== undefined)),
  ];
  const leaves = new Map<number, { tag: Hex; proof: Hex[] }>();
  for (const batch of touched) {
    let built: AuditBatch;
    try {
      built = buildAuditBatch(await store.auditLeaves(batch.firstSequence, batch.count));
    } catch {
      continue; // leaves missing from the store: the patient's check reports it
    }
    for (const leaf of built.leaves) {
      leaves.set(leaf.sequence, { tag: leaf.tag, proof: built.proofs.get(leaf.sequence) ?? [] });
    }
  }
  return {
    organisationId: await hostedOrganisationId(services),
    events: own.map((event) => {
      const leaf = leaves.get(event.sequence ?? -1);
      return { event: toAuditEventInput(event), tag: leaf?.tag ?? null, proof: leaf?.proof ?? null };
    }),
  };
}

/**
 * Every leaf of this gateway's anchored audit batches, from batch `from` on: whole batches, at
 * least one, up to `leavesPerPage` leaves; `nextBatch` is the index to ask for next, or null.
 */
export async function auditBatches(
  services: GatewayServices,
  input: { from: number },
): Promise<AuditBatchPage> {
  const { store } = services;
  const all = (await store.auditBatches()).filter((batch) => batch.batchIndex >= input.from);
  const page = [];
  let leafCount = 0;
  for (const batch of all) {
    if (page.length && leafCount + batch.count > leavesPerPage) break;
    const leaves = await store.auditLeaves(batch.firstSequence, batch.count);
    page.push({ ...batch, leaves });
    leafCount += batch.count;
  }
  const last = page.at(-1);
  const nextBatch =
    last && all.some((batch) => batch.batchIndex > last.batchIndex) ? last.batchIndex + 1 : null;
  return { organisationId: await hostedOrganisationId(services), batches: page, nextBatch };
}

/** An audit event as the API describes it: its time as ISO 8601, category and sensitivity by name. */
function describeAuditEvent(event: AuditEventRow): AuditEvent {
  return {
    eventId: event.eventId,
    recordedAt: new Date(event.recordedAt).toISOString(),
    actor: event.actor,
    patient: event.patient,
    action: event.action,
    recordId: event.recordId,
    category: event.category === null ? null : (categories[event.category] ?? null),
    sensitivity: event.sensitivity === null ? null : (sensitivities[event.sensitivity] ?? null),
    purpose: event.purpose,
    outcome: event.outcome,
    reason: event.reason,
  };
}

async function hostedOrganisationId({ store, custodian }: GatewayServices): Promise<number | null> {
  return hostedOrganisation(await store.organisations(), custodian.publicKey) ?? null;
}
