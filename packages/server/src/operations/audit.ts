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
  sensitivities,
} from '@medledger/core';
import type { Hex } from 'viem';
import { toAuditEventInput } from '../auditTagger.ts';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { hostedOrganisation } from '../organisations.ts';
import type { AuditEventRow } from '../store/gatewayStore.ts';

/** At most this many leaves per page of `auditBatches` (a page holds at least one whole batch). */
const leavesPerPage = 20_000;

/**
 * Access decisions: with `organisation`, those of its members, for an active admin of it (see
 * `accessControl.requireOrganisationAdmin`); otherwise those on the caller's own records (`patient`,
 * if given, must be the caller: reason `not_the_patient`); with `outcome`, only the allowed or only
 * the refused (`denied`) ones. As JSON, or as a FHIR R4 Bundle with `format: 'fhir'`.
 */
export async function auditEvents(
  services: GatewayServices,
  session: Session,
  query: AuditQuery,
): Promise<AuditEventList | FhirAuditBundle> {
  const { store, access } = services;
  const me = session.address;
  const outcome = query.outcome ? { outcome: query.outcome } : {};
  let events: AuditEventRow[];
  if (query.organisation) {
    const organisationId = Number(query.organisation);
    await access.requireOrganisationAdmin(me, organisationId, 'its access activity');
    const members = await store.membersOf(organisationId);
    events = await store.auditEvents({ actors: members.map((member) => member.address), ...outcome });
  } else {
    const patient = query.patient ?? me;
    if (patient.toLowerCase() !== me.toLowerCase()) {
      throw new AccessDeniedError('A patient’s access history is shown to that patient only.', {
        reason: 'not_the_patient',
      });
    }
    events = await store.auditEvents({ patient, ...outcome });
  }
  if (query.format !== 'fhir') return { events: events.map(describeAuditEvent) };
  const source = { organisationId: await hostedOrganisationId(services) };
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: events.length,
    entry: events.map((event) => ({ resource: auditEventResource(event, source) })),
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
