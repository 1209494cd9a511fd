import { address, object } from '@medledger/api';
import {
  AccessDeniedError,
  type AuditBatch,
  buildAuditBatch,
  categories,
  roleCode,
  sensitivities,
} from '@medledger/core';
import type { FastifyInstance } from 'fastify';
import type { Address, Hex } from 'viem';
import { toAuditEventInput } from '../auditTagger.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { hostedOrganisation } from '../organisations.ts';
import type { AuditEventRow } from '../store/gatewayStore.ts';
import { requireSession, sameAddress, typedRoutes } from './routeHelpers.ts';

export function auditRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { auth, store, ledger } = services;

  app.get(
    '/api/audit',
    {
      preHandler: requireSession(auth),
      schema: {
        summary:
          'Access decisions: a patient sees those on its records; an organisation admin those of its members',
        description:
          'Events carry who, when, which patient, record, category and action, and the outcome; never content. ' +
          'format=fhir answers a FHIR R4 Bundle of AuditEvent resources.',
        tags: ['audit'],
        security: [{ session: [] }],
        querystring: object({
          patient: address,
          organisation: { type: 'string', pattern: '^[0-9]{1,10}$' },
          format: { type: 'string', enum: ['json', 'fhir'] },
        }),
      },
    },
    async (request) => {
      const me = request.session.address;
      let events: AuditEventRow[];
      if (request.query.organisation) {
        const organisationId = Number(request.query.organisation);
        const caller = await ledger.read('consortium', 'member', [me]);
        if (caller.organisationId !== organisationId || caller.role !== roleCode('admin') || !caller.active) {
          throw new AccessDeniedError(
            `Only an active admin of organisation ${organisationId} sees its access activity.`,
          );
        }
        const members = await store.membersOf(organisationId);
        events = await store.auditEvents({ actors: members.map((member) => member.address) });
      } else {
        const patient = (request.query.patient ?? me) as Address;
        if (!sameAddress(patient, me)) {
          throw new AccessDeniedError('A patient’s access history is shown to that patient only.');
        }
        events = await store.auditEvents({ patient });
      }
      return request.query.format === 'fhir'
        ? {
            resourceType: 'Bundle',
            type: 'searchset',
            total: events.length,
            entry: events.map((e) => ({ resource: toFhirAuditEvent(e) })),
          }
        : { events: events.map(describeAuditEvent) };
    },
  );
}

/** At most this many leaves per page of `/api/audit/batches` (a page holds at least one whole batch). */
const leavesPerPage = 20_000;

/**
 * What a patient needs to check its access history against the chain, offline from this
 * gateway's word: every leaf of every anchored batch (`/api/audit/batches`: a sequence number, an
 * event hash and a keyed tag each; they say nothing about whom another event concerns), and its
 * own events with their tags and inclusion proofs (`/api/audit/proofs`). The patient rebuilds each
 * batch's root, compares it with the chain's, and recognises by their tags the leaves that are its
 * own: each must be matched by one of its events. Events not anchored yet come without a proof.
 */
export function registerAuditProofRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { auth, store, custodian } = services;
  const hosted = async () => hostedOrganisation(await store.organisations(), custodian.publicKey) ?? null;

  app.get(
    '/api/audit/proofs',
    {
      preHandler: requireSession(auth),
      schema: {
        summary:
          'The caller’s access history with leaf tags and Merkle inclusion proofs against the anchored audit batches',
        tags: ['audit'],
        security: [{ session: [] }],
      },
    },
    async (request) => {
      const patient = request.session.address;
      const organisationId = await hosted();
      const own = (await store.auditEvents({ patient, limit: 100_000 })).reverse();
      const batches = await store.auditBatches();
      const batchOf = (sequence: number) =>
        batches.find(
          (batch) => sequence >= batch.firstSequence && sequence < batch.firstSequence + batch.count,
        );
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
        organisationId,
        events: own.map((event) => {
          const leaf = leaves.get(event.sequence ?? -1);
          return { event: toAuditEventInput(event), tag: leaf?.tag ?? null, proof: leaf?.proof ?? null };
        }),
      };
    },
  );

  app.get(
    '/api/audit/batches',
    {
      preHandler: requireSession(auth),
      schema: {
        summary:
          'Every leaf of this gateway’s anchored audit batches, from batch `from` on, a page at a time',
        description:
          'A leaf is a sequence number, an event hash and a keyed per-patient tag: no event content, and nothing ' +
          'that tells whom it concerns except to that patient. A page holds whole batches, at least one; ' +
          '`nextBatch` is the index to ask for next, or null after the last anchored batch.',
        tags: ['audit'],
        security: [{ session: [] }],
        querystring: object({ from: { type: 'string', pattern: '^[0-9]{1,10}$' } }),
      },
    },
    async (request) => {
      const from = Number(request.query.from ?? 0);
      const all = (await store.auditBatches()).filter((batch) => batch.batchIndex >= from);
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
      return { organisationId: await hosted(), batches: page, nextBatch };
    },
  );
}

export function describeAuditEvent(event: AuditEventRow) {
  return {
    eventId: event.eventId,
    recordedAt: new Date(event.recordedAt).toISOString(),
    actor: event.actor,
    patient: event.patient,
    action: event.action,
    recordId: event.recordId,
    category: event.category === null ? null : categories[event.category],
    sensitivity: event.sensitivity === null ? null : sensitivities[event.sensitivity],
    purpose: event.purpose,
    outcome: event.outcome,
    reason: event.reason,
  };
}

const fhirAction: Record<string, string> = { read: 'R', list: 'R', append: 'C', share: 'E' };

/** The security label of an access under an emergency ("break the glass", HL7 v3 ActReason BTG). */
const breakTheGlassLabel = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  code: 'BTG',
  display: 'break the glass',
};

/** The event as a FHIR R4 AuditEvent (REST interaction; outcome 0 success, 4 minor failure = denied). */
export function toFhirAuditEvent(event: AuditEventRow) {
  return {
    resourceType: 'AuditEvent',
    id: event.eventId,
    ...(event.purpose === breakTheGlassLabel.code ? { meta: { security: [breakTheGlassLabel] } } : {}),
    type: {
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'RESTful Operation',
    },
    subtype: [
      {
        system: 'http://hl7.org/fhir/restful-interaction',
        code: event.action === 'append' ? 'create' : event.action === 'list' ? 'search-type' : 'read',
      },
    ],
    action: fhirAction[event.action] ?? 'E',
    recorded: new Date(event.recordedAt).toISOString(),
    outcome: event.outcome === 'allowed' ? '0' : '4',
    ...(event.reason ? { outcomeDesc: event.reason } : {}),
    ...(event.purpose
      ? {
          purposeOfEvent: [
            {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: event.purpose }],
            },
          ],
        }
      : {}),
    agent: [
      {
        who: { identifier: { system: 'urn:ietf:rfc:3986', value: `urn:ethereum:${event.actor}` } },
        requestor: true,
      },
    ],
    source: { observer: { display: 'medledger gateway' } },
    entity: [
      ...(event.patient
        ? [
            {
              what: { identifier: { system: 'urn:ietf:rfc:3986', value: `urn:ethereum:${event.patient}` } },
              role: { code: '1', display: 'Patient' },
            },
          ]
        : []),
      ...(event.recordId
        ? [
            {
              what: { identifier: { system: 'urn:medledger:record', value: event.recordId } },
              role: { code: '4', display: 'Domain Resource' },
            },
          ]
        : []),
    ],
  };
}
