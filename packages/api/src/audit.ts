/**
 * The audit area: access decisions as their patient (or an organisation's admins) see them, as JSON
 * or as FHIR R4 AuditEvents, and what a patient needs to check its history against the chain: its
 * events with leaf tags and inclusion proofs, and every leaf of the anchored batches.
 */
import type { ApiType } from './apiType.ts';
import { address, bytes32, category, nullable, object, sensitivity } from './schemaParts.ts';

const outcome = { type: 'string', enum: ['allowed', 'denied'] } as const;
const nullableString = nullable({ type: 'string' });
const vocabularyIndex = {
  type: 'integer',
  minimum: 0,
  description: 'a vocabulary index this gateway has no name for',
} as const;

/**
 * `GET /api/audit`: whose history (default the caller, a patient), or an organisation's, the
 * format, and filters: `outcome` (only the allowed or only the refused, `denied`, decisions),
 * `actor` (who acted), `category`, and `since`/`until` (recorded at or after, before). Newest first,
 * a page of `limit` events (1 to 200, default 50); `before` is the `nextCursor` of the page before.
 */
export const auditQuery = object({
  patient: address,
  organisation: { type: 'string', pattern: '^[0-9]{1,10}$' },
  format: { type: 'string', enum: ['json', 'fhir'] },
  outcome,
  actor: address,
  category,
  since: { type: 'string', format: 'date-time' },
  until: { type: 'string', format: 'date-time' },
  limit: { type: 'string', pattern: '^[0-9]{1,6}$', description: 'events per page, 1 to 200 (default 50)' },
  before: {
    type: 'string',
    pattern: '^[0-9]{1,15}$',
    description: 'the nextCursor of the previous page: events older than it',
  },
});
export type AuditQuery = ApiType<typeof auditQuery>;

/** The fields of an access decision; `recordedAt`, `category` and `sensitivity` vary by answer. */
const decisionFields = {
  eventId: { type: 'string' },
  actor: address,
  patient: nullable(address),
  action: { type: 'string' },
  recordId: nullable(bytes32),
  purpose: nullableString,
  outcome,
  reason: nullableString,
} as const;
const decisionRequired = [
  'eventId',
  'recordedAt',
  'actor',
  'patient',
  'action',
  'recordId',
  'category',
  'sensitivity',
  'purpose',
  'outcome',
  'reason',
] as const;

/** One access decision: who, when, which patient, record, category and action, and the outcome. */
export const auditEvent = object(
  {
    ...decisionFields,
    recordedAt: { type: 'string', format: 'date-time' },
    category: nullable(category),
    sensitivity: nullable(sensitivity),
  },
  decisionRequired,
);
export type AuditEvent = ApiType<typeof auditEvent>;

/** `GET /api/audit` (format json): a page of events; `nextCursor` asks for the next (older) page. */
export const auditEventList = object(
  {
    events: { type: 'array', items: auditEvent },
    nextCursor: nullable({ type: 'string', pattern: '^[0-9]{1,15}$' }),
  },
  ['events', 'nextCursor'],
);
export type AuditEventList = ApiType<typeof auditEventList>;

const coding = object({ system: { type: 'string' }, code: { type: 'string' }, display: { type: 'string' } }, [
  'system',
  'code',
]);
const identifier = object({ system: { type: 'string' }, value: { type: 'string' } }, ['system', 'value']);
const reference = object({
  reference: { type: 'string' },
  type: { type: 'string' },
  identifier,
  display: { type: 'string' },
});

/**
 * An access decision as a FHIR R4 AuditEvent, as `@medledger/core`'s `auditEventResource` maps it
 * (REST interaction; outcome 0 allowed, 4 denied).
 */
export const fhirAuditEvent = object(
  {
    resourceType: { type: 'string', const: 'AuditEvent' },
    id: { type: 'string' },
    meta: object({ security: { type: 'array', items: coding } }, ['security']),
    type: coding,
    subtype: { type: 'array', items: coding },
    action: { type: 'string', enum: ['C', 'R', 'U', 'D', 'E'] },
    recorded: { type: 'string', format: 'date-time' },
    outcome: { type: 'string', enum: ['0', '4', '8', '12'] },
    outcomeDesc: { type: 'string' },
    purposeOfEvent: {
      type: 'array',
      items: object({ coding: { type: 'array', items: coding } }, ['coding']),
    },
    agent: {
      type: 'array',
      items: object({ who: reference, requestor: { type: 'boolean' } }, ['who', 'requestor']),
    },
    source: object({ observer: reference }, ['observer']),
    entity: {
      type: 'array',
      items: object(
        {
          what: reference,
          type: coding,
          role: coding,
          securityLabel: { type: 'array', items: coding },
          detail: {
            type: 'array',
            items: object({ type: { type: 'string' }, valueString: { type: 'string' } }, [
              'type',
              'valueString',
            ]),
          },
        },
        ['what', 'type', 'role'],
      ),
    },
  },
  ['resourceType', 'id', 'type', 'subtype', 'action', 'recorded', 'outcome', 'agent', 'source'],
);
export type FhirAuditEvent = ApiType<typeof fhirAuditEvent>;

/** `GET /api/audit?format=fhir`: a FHIR R4 searchset Bundle of AuditEvents. */
export const fhirAuditBundle = object(
  {
    resourceType: { type: 'string', const: 'Bundle' },
    type: { type: 'string', const: 'searchset' },
    total: { type: 'integer' },
    link: {
      type: 'array',
      description: 'relation `next`: the next (older) page',
      items: object({ relation: { type: 'string' }, url: { type: 'string' } }, ['relation', 'url']),
    },
    entry: { type: 'array', items: object({ resource: fhirAuditEvent }, ['resource']) },
  },
  ['resourceType', 'type', 'total', 'entry'],
);
export type FhirAuditBundle = ApiType<typeof fhirAuditBundle>;

/** `GET /api/audit`: the events as JSON, or as a FHIR Bundle with `format=fhir`. */
export const auditAnswer = { anyOf: [auditEventList, fhirAuditBundle] } as const;

/** An audit event as its leaf encodes it: with its sequence, the time in unix milliseconds. */
export const auditEventInput = object(
  {
    ...decisionFields,
    sequence: { type: 'integer', minimum: 0 },
    recordedAt: { type: 'integer', description: 'unix milliseconds' },
    category: { anyOf: [category, vocabularyIndex, { type: 'null' }] },
    sensitivity: { anyOf: [sensitivity, vocabularyIndex, { type: 'null' }] },
  },
  ['sequence', ...decisionRequired],
);

/** `GET /api/audit/proofs`: the caller's events; `tag` and `proof` are null until its batch is anchored. */
export const auditTrailProofs = object(
  {
    organisationId: { ...nullable({ type: 'integer' }), description: 'the organisation this gateway hosts' },
    events: {
      type: 'array',
      items: object(
        {
          event: auditEventInput,
          tag: nullable(bytes32),
          proof: nullable({ type: 'array', items: bytes32 }),
        },
        ['event', 'tag', 'proof'],
      ),
    },
  },
  ['organisationId', 'events'],
);
export type AuditTrailProofs = ApiType<typeof auditTrailProofs>;

/** `GET /api/audit/batches?from=`: the first batch index of the page. */
export const auditBatchesQuery = object({ from: { type: 'string', pattern: '^[0-9]{1,10}$' } });
export type AuditBatchesQuery = ApiType<typeof auditBatchesQuery>;

/** A leaf of an anchored audit batch: no event content. */
export const auditBatchLeaf = object(
  {
    sequence: { type: 'integer' },
    eventHash: bytes32,
    tag: { ...bytes32, description: 'keyed per patient' },
  },
  ['sequence', 'eventHash', 'tag'],
);

/** An anchored audit batch with all its leaves. */
export const auditBatchWithLeaves = object(
  {
    batchIndex: { type: 'integer' },
    firstSequence: { type: 'integer' },
    count: { type: 'integer' },
    root: bytes32,
    transactionHash: bytes32,
    blockNumber: { type: 'integer' },
    leaves: { type: 'array', items: auditBatchLeaf },
  },
  ['batchIndex', 'firstSequence', 'count', 'root', 'transactionHash', 'blockNumber', 'leaves'],
);
export type AuditBatchWithLeaves = ApiType<typeof auditBatchWithLeaves>;

/** `GET /api/audit/batches`: whole batches, at least one, from `from` on. */
export const auditBatchPage = object(
  {
    organisationId: nullable({ type: 'integer' }),
    batches: { type: 'array', items: auditBatchWithLeaves },
    nextBatch: {
      ...nullable({ type: 'integer' }),
      description: 'the batch index to ask for next, or null after the last anchored batch',
    },
  },
  ['organisationId', 'batches', 'nextBatch'],
);
export type AuditBatchPage = ApiType<typeof auditBatchPage>;
