/**
 * FHIR R4 resources derived from ledger state, read-only: a grant of consent or an access request
 * as a `Consent`, an access decision of a gateway's audit log as an `AuditEvent`, and a record's
 * signers (its author and co-signers) with the block that anchors it as a `Provenance`. Pure
 * mappers: they hold no health data (ids, addresses, vocabulary codes and times only) and read
 * no clock.
 *
 * Conventions, the same in every resource:
 * - an address is an `Identifier` of system `ledgerSystems.address` with the lower-case 0x address
 *   as value; a patient's is also a `Patient/<address>` reference (its FHIR id is its address);
 * - an organisation is an `Identifier` of system `ledgerSystems.organisation` with its decimal id;
 * - a record is an `Identifier` of system `ledgerSystems.record` with its lower-case 0x record id,
 *   and its FHIR id is its first version's record id without `0x` (`recordFhirId`);
 * - the chain evidence (block number, transaction hash) is the extension `anchorExtensionUrl`.
 */
import type { Address, Hex } from 'viem';
import { type AuditEventInput, canonicalAuditEvent } from '../audit/auditEvent.ts';
import { bytesToBase64url, hexToBytes } from '../bytes.ts';
import { InvalidInputError } from '../errors.ts';
import { type Action, type Category, categories, type Sensitivity, sensitivities } from '../vocabulary.ts';

/** The identifier systems of ledger values (see the module comment). */
export const ledgerSystems = {
  /** An Ethereum address: a patient, a member, any signer; value `0x…` in lower case. */
  address: 'urn:medledger:address',
  /** An organisation of the consortium; value its id in decimal. */
  organisation: 'urn:medledger:organisation',
  /** A record version; value its 32-byte record id, `0x…` in lower case. */
  record: 'urn:medledger:record',
  /** A grant of consent; value its on-chain grant id in decimal. */
  consentGrant: 'urn:medledger:consent-grant',
  /** An access request; value its on-chain request id in decimal. */
  accessRequest: 'urn:medledger:access-request',
  /** A record category (`categories` of the vocabulary): the classes of data a consent covers. */
  category: 'urn:medledger:category',
  /** A consent action (`read`, `append`, `share`). */
  action: 'urn:medledger:action',
  /** A member role (`doctor`, …) or `patient`. */
  role: 'urn:medledger:role',
  /** The gateway's name of an audited action (`read`, `list`, `append`, `emergency-start`, …). */
  auditAction: 'urn:medledger:audit-action',
  /** A purpose of use that is not an HL7 v3 PurposeOfUse code (e.g. `COSIGN`). */
  purpose: 'urn:medledger:purpose',
} as const;

/**
 * The extension carrying the chain evidence of a resource: sub-extensions `blockNumber`
 * (unsignedInt) and `transactionHash` (string, `0x…`), each when known.
 */
export const anchorExtensionUrl = 'http://medledger.example/fhir/StructureDefinition/anchor';
/** The extension carrying a record's stamp on its Provenance: `status` (code) and `policyVersion`. */
export const stampExtensionUrl = 'http://medledger.example/fhir/StructureDefinition/stamp';

// The FHIR R4 shapes these mappers emit (a subset of each element's R4 definition).
export type FhirCoding = { system: string; code: string; display?: string };
export type FhirCodeableConcept = { coding: FhirCoding[]; text?: string };
export type FhirIdentifier = { system: string; value: string };
/** A ledger party: by FHIR id (a patient, `Patient/<address>`), or by identifier (`type` for an organisation). */
export type FhirReference = {
  reference?: string;
  type?: 'Organization';
  identifier?: FhirIdentifier;
  display?: string;
};
export type FhirExtension = {
  url: string;
  extension?: FhirExtension[];
  valueString?: string;
  valueCode?: string;
  valueUnsignedInt?: number;
};

/** A grant of consent as the gateway lists it (`GET /api/consents`), with its chain evidence when known. */
export type LedgerConsent = {
  grantId: number;
  patient: Address;
  /** The member granted access; null for a grant to a whole organisation. */
  grantee: Address | null;
  /** The organisation granted access; null for a grant to one member. */
  granteeOrganisation: number | null;
  categories: readonly Category[];
  /** The highest sensitivity covered (`restricted` also covers `normal`). */
  maxSensitivity: Sensitivity;
  actions: readonly Action[];
  /** Purpose of use, e.g. `TREAT`; empty or absent for none. */
  purpose?: string | null;
  /** Unix seconds. */
  expiresAt: number;
  /** The access request this grant approves, if any. */
  requestId?: number | null;
  status: 'active' | 'revoked' | 'expired';
  /** Unix seconds of the granting block, when known. */
  grantedAt?: number;
  blockNumber?: number;
  transactionHash?: Hex;
};

/** An access request as the gateway lists it (`GET /api/access-requests`), with its chain evidence when known. */
export type LedgerAccessRequest = {
  requestId: number;
  patient: Address;
  requester: Address;
  categories: readonly Category[];
  actions: readonly Action[];
  status: 'pending' | 'approved' | 'denied';
  /** The grant that approved it, if any. */
  grantId?: number | null;
  blockNumber?: number;
  transactionHash?: Hex;
};

/**
 * An access decision of a gateway's audit log: as the API lists it (`GET /api/audit`: ISO time,
 * vocabulary names) or as the gateway stores it (unix milliseconds, vocabulary indexes).
 */
export type LedgerAuditEvent = Omit<AuditEventInput, 'sequence'> & { sequence?: number | bigint };

/** Where an AuditEvent was observed: the organisation whose gateway recorded it, when known. */
export type AuditEventSource = { organisationId?: number | null };

/** One signer of a record's stamp (`GET /api/records` or `/api/records/:id/stamp`). */
export type LedgerStampSigner = {
  address: Address;
  /** `author` signed the record when it was anchored; `co-signer` added a co-signature. */
  as: 'author' | 'co-signer';
  /** A member role, or `patient`. */
  role: string;
  organisationId: number;
  /** Unix seconds of the signature, when known (an author's is the record's `createdAt`). */
  signedAt?: number;
  /** The signature's bytes, when known. */
  signature?: Hex;
};

/** A record's multi-signature stamp. */
export type LedgerStamp = {
  status: 'final' | 'draft';
  policyVersion: number;
  signers: readonly LedgerStampSigner[];
};

/** A record's anchor as the gateway lists it (`recordMetadata`): the fields a Provenance uses. */
export type LedgerRecordAnchor = {
  recordId: Hex;
  patient: Address;
  author: Address;
  /** The record this version supersedes, if any. */
  supersedes: Hex | null;
  /** Unix seconds, as the author signed it. */
  createdAt: number;
  blockNumber: number;
  transactionHash: Hex;
};

/** What a Provenance is about and when its record was anchored. */
export type ProvenanceContext = {
  /** The record's FHIR resource, e.g. `Observation/<recordFhirId of its first version>`. */
  target: string;
  /** Unix seconds of the anchoring block; the record's `createdAt` when absent. */
  anchoredAt?: number;
};

export type LedgerConsentResource = {
  resourceType: 'Consent';
  id: string;
  extension?: FhirExtension[];
  identifier: FhirIdentifier[];
  status: 'proposed' | 'active' | 'rejected' | 'inactive';
  scope: FhirCodeableConcept;
  category: FhirCodeableConcept[];
  patient: FhirReference;
  dateTime?: string;
  performer: FhirReference[];
  sourceReference?: FhirReference;
  policyRule: FhirCodeableConcept;
  provision: {
    type: 'permit';
    period?: { start?: string; end?: string };
    actor: { role: FhirCodeableConcept; reference: FhirReference }[];
    action: FhirCodeableConcept[];
    securityLabel?: FhirCoding[];
    purpose?: FhirCoding[];
    class: FhirCoding[];
  };
};

export type LedgerAuditEventResource = {
  resourceType: 'AuditEvent';
  id: string;
  meta?: { security: FhirCoding[] };
  type: FhirCoding;
  subtype: FhirCoding[];
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  outcome: '0' | '4' | '8' | '12';
  outcomeDesc?: string;
  purposeOfEvent?: FhirCodeableConcept[];
  agent: { who: FhirReference; requestor: boolean }[];
  source: { observer: FhirReference };
  entity?: {
    what: FhirReference;
    type: FhirCoding;
    role: FhirCoding;
    securityLabel?: FhirCoding[];
    detail?: { type: string; valueString: string }[];
  }[];
};

export type LedgerProvenanceResource = {
  resourceType: 'Provenance';
  id: string;
  extension: FhirExtension[];
  target: FhirReference[];
  occurredDateTime: string;
  recorded: string;
  activity: FhirCodeableConcept;
  agent: {
    type: FhirCodeableConcept;
    role?: FhirCodeableConcept[];
    who: FhirReference;
    onBehalfOf?: FhirReference;
  }[];
  entity?: { role: 'revision'; what: FhirReference }[];
  signature: {
    type: FhirCoding[];
    when: string;
    who: FhirReference;
    onBehalfOf?: FhirReference;
    data?: string;
  }[];
};

export type LedgerResourceErrorType = InvalidInputError;

const terminology = 'http://terminology.hl7.org/CodeSystem';
const actReason = `${terminology}/v3-ActReason`;

/**
 * HL7 v3 PurposeOfUse codes (R4 value set `v3-PurposeOfUse`, in `v3-ActReason`); another purpose
 * gets the system `ledgerSystems.purpose`.
 */
const purposeOfUseCodes: ReadonlySet<string> = new Set(
  (
    'BTG CAREMGT CLMATTCH COC COVAUTH COVERAGE DONAT ELIGDTRM ELIGVER ENROLLM ERTREAT ETREAT FAMRQT ' +
    'FRAUD GOV HACCRED HCOMPL HDECD HDIRECT HDM HLEGAL HMARKT HOPERAT HOUTCOMS HPAYMT HPRGRP HQUALIMP ' +
    'HRESCH HSYSADMIN HTEST LABELING MEMADMIN METAMGT MILCDM MILDCRG PATADMIN PATRQT PATSFTY PERFMSR ' +
    'POPHLTH PUBHLTH PWATRNY RECORDMGT REMITADV SUPNWK SYSDEV THREAT TRAIN TREAT BIORCH CLINTRCH ' +
    'CLINTRCHNPC CLINTRCHPC DSRCH POARCH PRECLINTRCH TRANSRCH DISASTER'
  ).split(' '),
);

/** The security label of an access under an emergency ("break the glass", HL7 v3 ActReason BTG). */
const breakTheGlassLabel = { system: actReason, code: 'BTG', display: 'break the glass' };

const confidentiality: Readonly<Record<Sensitivity, FhirCoding>> = {
  normal: { system: `${terminology}/v3-Confidentiality`, code: 'N', display: 'normal' },
  restricted: { system: `${terminology}/v3-Confidentiality`, code: 'R', display: 'restricted' },
};

/** Consent actions: the R4 `consentaction` code of each, and the ledger's own code beside it. */
const consentActionCodes: Readonly<Record<Action, FhirCoding>> = {
  read: { system: `${terminology}/consentaction`, code: 'access', display: 'Access' },
  append: { system: `${terminology}/consentaction`, code: 'correct', display: 'Access and Correct' },
  share: { system: `${terminology}/consentaction`, code: 'disclose', display: 'Disclose' },
};

const consentScope: FhirCodeableConcept = {
  coding: [{ system: `${terminology}/consentscope`, code: 'patient-privacy', display: 'Privacy Consent' }],
};
const consentCategory: FhirCodeableConcept = {
  coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }],
};
/** ppc-1: a Consent names a policy or a rule; a ledger grant is an opt-in. */
const optIn: FhirCodeableConcept = {
  coding: [{ system: `${terminology}/v3-ActCode`, code: 'OPTIN', display: 'opt-in' }],
};
const informationRecipient: FhirCodeableConcept = {
  coding: [{ system: `${terminology}/v3-ParticipationType`, code: 'IRCP', display: 'information recipient' }],
};

/**
 * A grant of consent as a FHIR R4 Consent (id `grant-<grantId>`).
 *
 * - `status`: `active`, or `inactive` once revoked or expired (as the input's `status` says);
 * - `scope` patient-privacy, `category` LOINC 59284-0, `policyRule` v3 OPTIN (invariant ppc-1),
 *   `patient` and `performer` the patient (who grants; ppc-2);
 * - `provision` (type `permit`): `actor` the grantee member or organisation (role IRCP),
 *   `period.end` the expiry, `action` the actions (R4 `consentaction` and `ledgerSystems.action`
 *   codings), `class` the categories (`ledgerSystems.category`), `securityLabel` the v3
 *   Confidentiality codes covered (N, and R for `restricted`), `purpose` the purpose of use;
 * - `sourceReference` the access request it approves (`Consent/request-<requestId>`);
 * - `dateTime` and the anchor extension when the input carries the granting block.
 *
 * Throws `InvalidInputError` on a malformed grant.
 *
 * @example
 * const { given } = await listConsents(patient);
 * const resources = given.map((grant) => consentResource(grant));
 */
export function consentResource(consent: LedgerConsent): LedgerConsentResource {
  const grantId = ledgerId(consent.grantId, 'grantId');
  const patient = lowerAddress(consent.patient, 'patient');
  const actors = [
    ...(consent.grantee ? [addressReference(consent.grantee, 'grantee')] : []),
    ...(consent.granteeOrganisation != null ? [organisationReference(consent.granteeOrganisation)] : []),
  ];
  if (actors.length === 0) throw invalid('a grant names a grantee or a grantee organisation');
  const requestId = consent.requestId ? ledgerId(consent.requestId, 'requestId') : null;
  const anchor = anchorExtension(consent);
  const sensitivityIndex = sensitivities.indexOf(consent.maxSensitivity);
  if (sensitivityIndex < 0) throw invalid('maxSensitivity must be normal or restricted');
  return {
    resourceType: 'Consent',
    id: `grant-${grantId}`,
    ...(anchor ? { extension: [anchor] } : {}),
    identifier: [{ system: ledgerSystems.consentGrant, value: String(grantId) }],
    status: consent.status === 'active' ? 'active' : 'inactive',
    scope: consentScope,
    category: [consentCategory],
    patient: patientReference(patient),
    ...(consent.grantedAt !== undefined ? { dateTime: isoSeconds(consent.grantedAt, 'grantedAt') } : {}),
    performer: [patientReference(patient)],
    ...(requestId !== null ? { sourceReference: { reference: `Consent/request-${requestId}` } } : {}),
    policyRule: optIn,
    provision: {
      type: 'permit',
      period: {
        ...(consent.grantedAt !== undefined ? { start: isoSeconds(consent.grantedAt, 'grantedAt') } : {}),
        end: isoSeconds(consent.expiresAt, 'expiresAt'),
      },
      actor: actors.map((reference) => ({ role: informationRecipient, reference })),
      action: consentActions(consent.actions),
      securityLabel: [confidentiality.normal, ...(sensitivityIndex > 0 ? [confidentiality.restricted] : [])],
      ...(consent.purpose ? { purpose: [purposeCoding(consent.purpose)] } : {}),
      class: categoryCodings(consent.categories),
    },
  };
}

/**
 * An access request as a FHIR R4 Consent (id `request-<requestId>`): what a member asked a patient
 * for, shaped like a grant (see `consentResource`) without expiry, sensitivity or purpose.
 *
 * `status`: `proposed` while pending, `rejected` once denied; once approved `active`, or
 * `inactive` when a grant replaced it (the grant's Consent, `Consent/grant-<grantId>`, holds the
 * consent in force and points back here with its `sourceReference`). The reason of the request
 * is left out: it is free text.
 *
 * @example
 * const { incoming } = await listAccessRequests(patient);
 * const proposed = incoming.map((request) => accessRequestConsent(request));
 */
export function accessRequestConsent(request: LedgerAccessRequest): LedgerConsentResource {
  const requestId = ledgerId(request.requestId, 'requestId');
  const patient = lowerAddress(request.patient, 'patient');
  const anchor = anchorExtension(request);
  return {
    resourceType: 'Consent',
    id: `request-${requestId}`,
    ...(anchor ? { extension: [anchor] } : {}),
    identifier: [{ system: ledgerSystems.accessRequest, value: String(requestId) }],
    status: accessRequestStatus(request),
    scope: consentScope,
    category: [consentCategory],
    patient: patientReference(patient),
    performer: [patientReference(patient)],
    policyRule: optIn,
    provision: {
      type: 'permit',
      actor: [{ role: informationRecipient, reference: addressReference(request.requester, 'requester') }],
      action: consentActions(request.actions),
      class: categoryCodings(request.categories),
    },
  };
}

/** The gateway's REST actions: the AuditEvent action and the R4 `restful-interaction` of each. */
const restfulActions: ReadonlyMap<string, { action: 'C' | 'R'; interaction: string }> = new Map([
  ['read', { action: 'R', interaction: 'read' }],
  ['list', { action: 'R', interaction: 'search-type' }],
  ['append', { action: 'C', interaction: 'create' }],
]);

/**
 * An access decision of a gateway's audit log as a FHIR R4 AuditEvent (id: the event id). Never
 * health data: who, when, which patient and record, the category and sensitivity, the outcome.
 *
 * - `type` `rest` (RESTful Operation) for reads, lists and appends, with the `restful-interaction`
 *   subtype (`read`, `search-type`, `create`); DICOM 110110 (Patient Record) for other actions
 *   (emergencies, key backups, …); the gateway's action name is always a subtype too
 *   (`ledgerSystems.auditAction`);
 * - `action` R (read, list), C (append), E (anything else);
 * - `outcome` 0 when allowed, 4 (minor failure) when denied, with the reason as `outcomeDesc`;
 * - `purposeOfEvent` the purpose of use (v3 ActReason), and the security label BTG under an
 *   emergency;
 * - `agent` the actor (requestor); `source.observer` the gateway, with its organisation when
 *   `source.organisationId` is given;
 * - `entity` the patient (role 1, Patient) and the record (role 4, Domain Resource; its
 *   sensitivity as a v3 Confidentiality security label, its category as the detail `category`).
 *
 * Throws `InvalidInputError` on a malformed event (see `canonicalAuditEvent`).
 *
 * @example
 * const { events } = await audit(patient);
 * const resources = events.map((event) => auditEventResource(event, { organisationId: 1 }));
 */
export function auditEventResource(
  event: LedgerAuditEvent,
  source: AuditEventSource = {},
): LedgerAuditEventResource {
  // The sequence does not appear in the resource; canonicalAuditEvent requires one.
  const e = canonicalAuditEvent({ ...event, sequence: event.sequence ?? 0 });
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(e.eventId)) {
    throw invalid('an audit event id must be 1 to 64 of A-Z a-z 0-9 - . (a FHIR id)');
  }
  const restful = restfulActions.get(e.action);
  const labels = e.sensitivity ? [confidentiality[e.sensitivity]] : undefined;
  const details = e.category ? [{ type: 'category', valueString: e.category }] : undefined;
  const classified = {
    ...(labels ? { securityLabel: labels } : {}),
    ...(details ? { detail: details } : {}),
  };
  const entity = [
    ...(e.patient
      ? [
          {
            what: patientReference(e.patient),
            type: { system: `${terminology}/audit-entity-type`, code: '1', display: 'Person' },
            role: { system: `${terminology}/object-role`, code: '1', display: 'Patient' },
            ...(e.recordId ? {} : classified),
          },
        ]
      : []),
    ...(e.recordId
      ? [
          {
            what: { identifier: { system: ledgerSystems.record, value: e.recordId } },
            type: { system: `${terminology}/audit-entity-type`, code: '2', display: 'System Object' },
            role: { system: `${terminology}/object-role`, code: '4', display: 'Domain Resource' },
            ...classified,
          },
        ]
      : []),
  ];
  const organisationId = source.organisationId ?? null;
  return {
    resourceType: 'AuditEvent',
    id: e.eventId,
    ...(e.purpose === breakTheGlassLabel.code ? { meta: { security: [breakTheGlassLabel] } } : {}),
    type: restful
      ? { system: `${terminology}/audit-event-type`, code: 'rest', display: 'RESTful Operation' }
      : { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110', display: 'Patient Record' },
    subtype: [
      ...(restful ? [{ system: 'http://hl7.org/fhir/restful-interaction', code: restful.interaction }] : []),
      { system: ledgerSystems.auditAction, code: codeOf(e.action, 'action') },
    ],
    action: restful?.action ?? 'E',
    recorded: new Date(e.recordedAt).toISOString(),
    outcome: e.outcome === 'allowed' ? '0' : '4',
    ...(e.reason ? { outcomeDesc: e.reason } : {}),
    ...(e.purpose ? { purposeOfEvent: [{ coding: [purposeCoding(e.purpose)] }] } : {}),
    agent: [{ who: partyReference(e.actor, e.patient), requestor: true }],
    source: {
      observer: {
        ...(organisationId !== null
          ? { type: 'Organization', identifier: organisationIdentifier(organisationId) }
          : {}),
        display:
          organisationId === null
            ? 'medledger gateway'
            : `medledger gateway of organisation ${organisationId}`,
      },
    },
    ...(entity.length ? { entity } : {}),
  };
}

const signatureTypeSystem = 'urn:iso-astm:E1762-95:2013';
const authorSignature = {
  system: signatureTypeSystem,
  code: '1.2.840.10065.1.12.1.1',
  display: "Author's Signature",
};
const verificationSignature = {
  system: signatureTypeSystem,
  code: '1.2.840.10065.1.12.1.5',
  display: 'Verification Signature',
};
const participantTypes = `${terminology}/provenance-participant-type`;

/**
 * A record version's signers as a FHIR R4 Provenance (id: `recordFhirId(record.recordId)`).
 *
 * - `target` the record's FHIR resource (`context.target`, e.g. `Observation/<first version id>`);
 * - `recorded` the anchoring block's time (`context.anchoredAt`, else the signed `createdAt`),
 *   `occurredDateTime` the signed `createdAt`; `activity` v3 DataOperation CREATE, or UPDATE for a
 *   version that supersedes another (then an `entity` of role `revision`: the superseded record);
 * - `agent`: the author (type `author`) and each co-signer (type `verifier`), with the role
 *   (`ledgerSystems.role`) and organisation (`onBehalfOf`) of the stamp;
 * - `signature`: the author's (ASTM E1762 1.2.840.10065.1.12.1.1, when `createdAt`) and each
 *   co-signer's whose time is known (1.2.840.10065.1.12.1.5), with `data` (base64) when the
 *   signature's bytes are known;
 * - extensions: the anchor (the record's block number and transaction hash) and the stamp (status
 *   final or draft, the co-signature policy version).
 *
 * Throws `InvalidInputError` on a malformed record, stamp or target.
 *
 * @example
 * const { records } = await listRecords(client, patient);
 * const provenance = provenanceResource(records[0], records[0].stamp, {
 *   target: `Observation/${recordFhirId(records[0].recordId)}`,
 * });
 */
export function provenanceResource(
  record: LedgerRecordAnchor,
  stamp: LedgerStamp,
  context: ProvenanceContext,
): LedgerProvenanceResource {
  const id = recordFhirId(record.recordId);
  const patient = lowerAddress(record.patient, 'patient');
  if (typeof context.target !== 'string' || !targetPattern.test(context.target)) {
    throw invalid('a Provenance target must be a reference Type/id (or Type/id/_history/version)');
  }
  if (stamp.status !== 'final' && stamp.status !== 'draft')
    throw invalid('stamp status must be final or draft');
  const created = isoSeconds(record.createdAt, 'createdAt');
  const supersedes = record.supersedes ? recordIdentifier(record.supersedes, 'supersedes') : null;
  const authors = stamp.signers.filter((signer) => signer.as === 'author');
  const coSigners = stamp.signers.filter((signer) => signer.as === 'co-signer');
  // A stamp names its author; should it not, the record's author stands without role or organisation.
  const authorSigners: SignerFacts[] = authors.length ? authors : [{ address: record.author }];
  // A member signs on behalf of its organisation; a patient on its own behalf.
  const party = (signer: SignerFacts) => ({
    who: partyReference(signer.address, patient),
    ...(signer.organisationId !== undefined && signer.role !== 'patient'
      ? { onBehalfOf: organisationReference(signer.organisationId) }
      : {}),
  });
  const agentOf = (signer: SignerFacts, type: 'author' | 'verifier') => ({
    type: {
      coding: [{ system: participantTypes, code: type, display: type === 'author' ? 'Author' : 'Verifier' }],
    },
    ...(signer.role
      ? { role: [{ coding: [{ system: ledgerSystems.role, code: codeOf(signer.role, 'role') }] }] }
      : {}),
    ...party(signer),
  });
  const signatureOf = (signer: SignerFacts, type: FhirCoding, when: string) => ({
    type: [type],
    when,
    ...party(signer),
    ...(signer.signature ? { data: hexToBase64(signer.signature) } : {}),
  });
  return {
    resourceType: 'Provenance',
    id,
    extension: [
      anchorExtension(record, true)!,
      {
        url: stampExtensionUrl,
        extension: [
          { url: 'status', valueCode: stamp.status },
          { url: 'policyVersion', valueUnsignedInt: unsignedInt(stamp.policyVersion, 'policyVersion') },
        ],
      },
    ],
    target: [{ reference: context.target }],
    occurredDateTime: created,
    recorded: context.anchoredAt !== undefined ? isoSeconds(context.anchoredAt, 'anchoredAt') : created,
    activity: {
      coding: [
        supersedes
          ? { system: `${terminology}/v3-DataOperation`, code: 'UPDATE', display: 'revise' }
          : { system: `${terminology}/v3-DataOperation`, code: 'CREATE', display: 'create' },
      ],
    },
    agent: [
      ...authorSigners.map((signer) => agentOf(signer, 'author')),
      ...coSigners.map((signer) => agentOf(signer, 'verifier')),
    ],
    ...(supersedes ? { entity: [{ role: 'revision' as const, what: { identifier: supersedes } }] } : {}),
    signature: [
      // The author signs the record's leaf, `createdAt` included, when it adds the record.
      ...authorSigners.map((signer) => signatureOf(signer, authorSignature, created)),
      ...coSigners
        .filter((signer) => signer.signedAt !== undefined)
        .map((signer) =>
          signatureOf(signer, verificationSignature, isoSeconds(signer.signedAt!, 'signedAt')),
        ),
    ],
  };
}

/** What a Provenance shows of a signer. */
type SignerFacts = Pick<LedgerStampSigner, 'address'> &
  Partial<Pick<LedgerStampSigner, 'role' | 'organisationId' | 'signature'>>;

/**
 * The FHIR id of a record: its record id without `0x`, in lower case (64 hex digits). A resource
 * kept in several versions has the id of its first version.
 *
 * @example
 * recordFhirId('0xAB…'); // 'ab…'
 */
export function recordFhirId(recordId: Hex): string {
  return recordIdentifier(recordId, 'recordId').value.slice(2);
}

const targetPattern = /^[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

function accessRequestStatus(request: LedgerAccessRequest): LedgerConsentResource['status'] {
  switch (request.status) {
    case 'pending':
      return 'proposed';
    case 'denied':
      return 'rejected';
    case 'approved':
      return request.grantId ? 'inactive' : 'active';
    default:
      throw invalid('an access request status must be pending, approved or denied');
  }
}

function consentActions(actions: readonly Action[]): FhirCodeableConcept[] {
  if (actions.length === 0) throw invalid('a consent names at least one action');
  return actions.map((action) => {
    if (!Object.hasOwn(consentActionCodes, action)) throw invalid(`unknown consent action "${action}"`);
    return { coding: [consentActionCodes[action], { system: ledgerSystems.action, code: action }] };
  });
}

function categoryCodings(list: readonly Category[]): FhirCoding[] {
  if (list.length === 0) throw invalid('a consent names at least one category');
  return list.map((category) => {
    if (!categories.includes(category)) throw invalid(`unknown category "${category}"`);
    return { system: ledgerSystems.category, code: category };
  });
}

/** A purpose of use as a Coding: HL7 v3 ActReason for PurposeOfUse codes, the ledger's system otherwise. */
function purposeCoding(purpose: string): FhirCoding {
  const code = codeOf(purpose, 'purpose');
  return { system: purposeOfUseCodes.has(code) ? actReason : ledgerSystems.purpose, code };
}

function anchorExtension(
  evidence: { blockNumber?: number; transactionHash?: Hex },
  required = false,
): FhirExtension | undefined {
  const parts: FhirExtension[] = [];
  if (evidence.blockNumber !== undefined || required) {
    parts.push({ url: 'blockNumber', valueUnsignedInt: unsignedInt(evidence.blockNumber, 'blockNumber') });
  }
  if (evidence.transactionHash !== undefined || required) {
    parts.push({
      url: 'transactionHash',
      valueString: recordIdentifier(evidence.transactionHash as Hex, 'transactionHash').value,
    });
  }
  return parts.length ? { url: anchorExtensionUrl, extension: parts } : undefined;
}

function patientReference(patient: Address): FhirReference {
  return { reference: `Patient/${patient}`, identifier: { system: ledgerSystems.address, value: patient } };
}

/** The patient's reference when `address` is the patient, otherwise the address as an identifier. */
function partyReference(address: Address, patient: Address | null): FhirReference {
  const lower = lowerAddress(address, 'address');
  return lower === patient
    ? patientReference(lower)
    : { identifier: { system: ledgerSystems.address, value: lower } };
}

function addressReference(address: Address, field: string): FhirReference {
  return { identifier: { system: ledgerSystems.address, value: lowerAddress(address, field) } };
}

function organisationIdentifier(organisationId: number): FhirIdentifier {
  return { system: ledgerSystems.organisation, value: String(ledgerId(organisationId, 'organisationId')) };
}

function organisationReference(organisationId: number): FhirReference {
  return { type: 'Organization', identifier: organisationIdentifier(organisationId) };
}

function recordIdentifier(value: Hex, field: string): FhirIdentifier {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(value))
    throw invalid(`${field} must be 32 bytes of 0x hex`);
  return { system: ledgerSystems.record, value: value.toLowerCase() };
}

function lowerAddress(value: Address, field: string): Address {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value))
    throw invalid(`${field} must be a 0x address`);
  return value.toLowerCase() as Address;
}

function ledgerId(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw invalid(`${field} must be a non-negative integer`);
  return value;
}

/** An R4 unsignedInt: 0 to 2^31 - 1. */
function unsignedInt(value: number | undefined, field: string): number {
  if (value === undefined || !Number.isInteger(value) || value < 0 || value > 2_147_483_647) {
    throw invalid(`${field} must be an integer from 0 to 2^31 - 1`);
  }
  return value;
}

/** Unix seconds as an R4 instant (UTC, milliseconds). */
function isoSeconds(value: number, field: string): string {
  if (!Number.isSafeInteger(value) || value < 0 || value > 253_402_300_799) {
    throw invalid(`${field} must be unix seconds`);
  }
  return new Date(value * 1000).toISOString();
}

/** A value as an R4 code: no leading, trailing or double whitespace. */
function codeOf(value: string, field: string): string {
  if (typeof value !== 'string' || !/^[^\s]+(\s[^\s]+)*$/.test(value))
    throw invalid(`${field} must be a code`);
  return value;
}

/** Standard base64 (with padding) of a signature's bytes. */
function hexToBase64(hex: Hex): string {
  const unpadded = bytesToBase64url(hexToBytes(hex, undefined, 'signature'));
  const base64 = unpadded.replaceAll('-', '+').replaceAll('_', '/');
  return base64 + '='.repeat((4 - (base64.length % 4)) % 4);
}

function invalid(message: string): InvalidInputError {
  return new InvalidInputError(`Invalid ledger value for FHIR: ${message}.`);
}
