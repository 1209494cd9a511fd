/** Audit events as FHIR R4 AuditEvent resources (REST interaction; outcome 0 success, 4 minor failure = denied). */
import type { FhirAuditBundle, FhirAuditEvent } from '@medledger/api';
import type { AuditEventRow } from '../store/gatewayStore.ts';

const fhirAction: Record<string, FhirAuditEvent['action']> = {
  read: 'R',
  list: 'R',
  append: 'C',
  share: 'E',
};

/** The security label of an access under an emergency ("break the glass", HL7 v3 ActReason BTG). */
const breakTheGlassLabel = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  code: 'BTG',
  display: 'break the glass',
};

/** The events as a FHIR R4 searchset Bundle. */
export function toFhirAuditBundle(events: readonly AuditEventRow[]): FhirAuditBundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: events.length,
    entry: events.map((event) => ({ resource: toFhirAuditEvent(event) })),
  };
}

/** The event as a FHIR R4 AuditEvent. */
function toFhirAuditEvent(event: AuditEventRow): FhirAuditEvent {
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
