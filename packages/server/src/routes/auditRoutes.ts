import { AccessDeniedError, buildAuditBatch, categories, roleCode, sensitivities } from '@medledger/core';
import type { FastifyInstance } from 'fastify';
import type { Address } from 'viem';
import { type GatewayServices, requireSession, sameAddress, typedRoutes } from '../app.ts';
import { toAuditEventInput } from '../auditAnchorer.ts';
import { hostedOrganisation } from '../organisations.ts';
import { address, object } from '../schemas.ts';
import type { AuditEventRow } from '../store/gatewayStore.ts';

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

/**
 * What a patient needs to check its access history against the chain, offline from this
 * gateway's word: for every anchored batch holding one of its events, all the batch's leaves (a
 * leaf is a sequence and a hash; it says nothing about whom another event concerns), and its own
 * events with their inclusion proofs. Events not anchored yet come without a batch.
 */
export function registerAuditProofRoute(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { auth, store, custodian } = services;
  app.get(
    '/api/audit/proofs',
    {
      preHandler: requireSession(auth),
      schema: {
        summary:
          'The caller’s access history with Merkle inclusion proofs against the anchored audit batches',
        tags: ['audit'],
        security: [{ session: [] }],
      },
    },
    async (request) => {
      const patient = request.session.address;
      const organisationId = hostedOrganisation(await store.organisations(), custodian.publicKey) ?? null;
      const own = (await store.auditEvents({ patient, limit: 100_000 })).reverse();
      const batches = await store.auditBatches();
      const batchOf = (sequence: number) =>
        batches.find(
          (batch) => sequence >= batch.firstSequence && sequence < batch.firstSequence + batch.count,
        );
      const touched = [
        ...new Set(own.map((event) => batchOf(event.sequence ?? -1)).filter((batch) => batch !== undefined)),
      ];
      const proofs = new Map<number, `0x${string}`[]>();
      const disclosed = [];
      for (const batch of touched) {
        const built = buildAuditBatch(
          (await store.auditEventsFrom(batch.firstSequence, batch.count)).map(toAuditEventInput),
        );
        for (const [sequence, proof] of built.proofs) proofs.set(sequence, proof);
        disclosed.push({ ...batch, leaves: built.leaves });
      }
      return {
        organisationId,
        batches: disclosed,
        events: own.map((event) => ({
          event: toAuditEventInput(event),
          proof: proofs.get(event.sequence ?? -1) ?? null,
        })),
      };
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
