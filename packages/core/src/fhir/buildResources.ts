/**
 * The FHIR R4 resources the web app's forms and the CLI's workflow commands produce. Each builder returns a resource that passes
 * core's `validateResource` for its category (checked in test/buildResources.test.ts). The patient
 * is referenced by their ledger address as a logical identifier, never by name.
 */
import { InvalidInputError } from '../errors.ts';
import type { Category } from '../vocabulary.ts';

export type BuiltResource = Record<string, unknown> & { resourceType: string; id: string };

const loinc = 'http://loinc.org';
const snomed = 'http://snomed.info/sct';

function newId(): string {
  return crypto.randomUUID();
}

function now(): string {
  return new Date().toISOString();
}

/** A reference to the patient by their ledger address. */
export function patientReference(address: string) {
  return { identifier: { system: 'urn:medledger:address', value: address.toLowerCase() }, type: 'Patient' };
}

function concept(text: string, system?: string, code?: string) {
  return code && system ? { coding: [{ system, code, display: text }], text } : { text };
}

export function buildClinicalNote(input: {
  patient: string;
  title: string;
  text: string;
  author: string;
}): BuiltResource {
  const bytes = new TextEncoder().encode(input.text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return {
    resourceType: 'DocumentReference',
    id: newId(),
    status: 'current',
    docStatus: 'final',
    type: concept('Progress note', loinc, '11506-3'),
    category: [
      {
        coding: [
          {
            system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
            code: 'clinical-note',
            display: 'Clinical Note',
          },
        ],
      },
    ],
    subject: patientReference(input.patient),
    date: now(),
    author: [{ display: input.author }],
    description: input.title,
    content: [
      {
        attachment: {
          contentType: 'text/plain; charset=utf-8',
          data: btoa(binary),
          size: bytes.length,
          title: `${input.title}.txt`,
        },
      },
    ],
  };
}

export function buildDiagnosis(input: {
  patient: string;
  name: string;
  snomedCode?: string;
  clinicalStatus: 'active' | 'recurrence' | 'remission' | 'resolved';
  onset?: string;
  note?: string;
}): BuiltResource {
  return {
    resourceType: 'Condition',
    id: newId(),
    clinicalStatus: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: input.clinicalStatus },
      ],
    },
    verificationStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
    },
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/condition-category',
            code: 'encounter-diagnosis',
            display: 'Encounter Diagnosis',
          },
        ],
      },
    ],
    code: concept(input.name, snomed, input.snomedCode || undefined),
    subject: patientReference(input.patient),
    ...(input.onset ? { onsetDateTime: input.onset } : {}),
    recordedDate: now(),
    ...(input.note ? { note: [{ text: input.note }] } : {}),
  };
}

export type PeriodUnit = 'h' | 'd' | 'wk';

export function buildPrescription(input: {
  patient: string;
  medicine: string;
  rxnormCode?: string;
  doseValue: number;
  doseUnit: string;
  timesPerPeriod: number;
  period: number;
  periodUnit: PeriodUnit;
  durationDays?: number;
  instructions?: string;
  prescriber: string;
}): BuiltResource {
  return {
    resourceType: 'MedicationRequest',
    id: newId(),
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: concept(
      input.medicine,
      'http://www.nlm.nih.gov/research/umls/rxnorm',
      input.rxnormCode || undefined,
    ),
    subject: patientReference(input.patient),
    authoredOn: now(),
    requester: { display: input.prescriber },
    dosageInstruction: [
      {
        sequence: 1,
        ...(input.instructions ? { patientInstruction: input.instructions } : {}),
        timing: {
          repeat: {
            frequency: input.timesPerPeriod,
            period: input.period,
            periodUnit: input.periodUnit,
            ...(input.durationDays
              ? {
                  boundsDuration: {
                    value: input.durationDays,
                    unit: 'days',
                    system: 'http://unitsofmeasure.org',
                    code: 'd',
                  },
                }
              : {}),
          },
        },
        doseAndRate: [{ doseQuantity: { value: input.doseValue, unit: input.doseUnit } }],
      },
    ],
  };
}

export function buildLabOrder(input: {
  patient: string;
  test: string;
  loincCode?: string;
  reason?: string;
  priority: 'routine' | 'urgent' | 'asap' | 'stat';
  requester: string;
}): BuiltResource {
  return {
    resourceType: 'ServiceRequest',
    id: newId(),
    status: 'active',
    intent: 'order',
    priority: input.priority,
    category: [{ coding: [{ system: snomed, code: '108252007', display: 'Laboratory procedure' }] }],
    code: concept(input.test, loinc, input.loincCode || undefined),
    subject: patientReference(input.patient),
    authoredOn: now(),
    requester: { display: input.requester },
    ...(input.reason ? { reasonCode: [{ text: input.reason }] } : {}),
  };
}

export function buildLabResult(input: {
  patient: string;
  orderId?: string;
  test: string;
  loincCode?: string;
  value: number;
  unit: string;
  low?: number;
  high?: number;
  performer: string;
}): BuiltResource {
  const quantity = (value: number) => ({ value, unit: input.unit });
  const range =
    input.low !== undefined || input.high !== undefined
      ? [
          {
            ...(input.low !== undefined ? { low: quantity(input.low) } : {}),
            ...(input.high !== undefined ? { high: quantity(input.high) } : {}),
          },
        ]
      : undefined;
  return {
    resourceType: 'Observation',
    id: newId(),
    status: 'final',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/observation-category',
            code: 'laboratory',
            display: 'Laboratory',
          },
        ],
      },
    ],
    code: concept(input.test, loinc, input.loincCode || undefined),
    subject: patientReference(input.patient),
    ...(input.orderId ? { basedOn: [{ reference: `ServiceRequest/${input.orderId}` }] } : {}),
    effectiveDateTime: now(),
    issued: now(),
    performer: [{ display: input.performer }],
    valueQuantity: quantity(input.value),
    ...(range ? { referenceRange: range } : {}),
  };
}

export function buildDispense(input: {
  patient: string;
  prescription: BuiltResource | Record<string, unknown>;
  quantity: number;
  unit: string;
  daysSupply?: number;
  pharmacist: string;
}): BuiltResource {
  const prescription = input.prescription;
  return {
    resourceType: 'MedicationDispense',
    id: newId(),
    status: 'completed',
    medicationCodeableConcept: prescription.medicationCodeableConcept ?? { text: 'Medication' },
    subject: patientReference(input.patient),
    performer: [{ actor: { display: input.pharmacist } }],
    authorizingPrescription: [{ reference: `MedicationRequest/${String(prescription.id)}` }],
    quantity: { value: input.quantity, unit: input.unit },
    ...(input.daysSupply
      ? {
          daysSupply: {
            value: input.daysSupply,
            unit: 'days',
            system: 'http://unitsofmeasure.org',
            code: 'd',
          },
        }
      : {}),
    whenHandedOver: now(),
    ...(Array.isArray(prescription.dosageInstruction)
      ? { dosageInstruction: prescription.dosageInstruction }
      : {}),
  };
}

/** An organisation of the consortium by its ledger id (`urn:medledger:organisation`), with its name. */
export function organisationReference(organisationId: number | undefined, name: string) {
  return {
    type: 'Organization',
    ...(organisationId !== undefined
      ? { identifier: { system: 'urn:medledger:organisation', value: String(organisationId) } }
      : {}),
    display: name,
  };
}

/**
 * The lab's report of an order: based on `ServiceRequest/<orderId>`, its results referenced as
 * `Observation/<id>` of the Observations built by `buildLabResult` (the client rewrites them to
 * their record ids when it anchors them together), final, coded like the order.
 */
export function buildDiagnosticReport(input: {
  patient: string;
  /** The order's FHIR id: its request record id without `0x`. */
  orderId: string;
  test: string;
  loincCode?: string;
  results: readonly { id: string }[];
  conclusion?: string;
  performer: string;
}): BuiltResource {
  return {
    resourceType: 'DiagnosticReport',
    id: newId(),
    basedOn: [{ reference: `ServiceRequest/${input.orderId}` }],
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' },
        ],
      },
    ],
    code: concept(input.test, loinc, input.loincCode || undefined),
    subject: patientReference(input.patient),
    effectiveDateTime: now(),
    issued: now(),
    performer: [{ display: input.performer }],
    result: input.results.map((result) => ({ reference: `Observation/${result.id}` })),
    ...(input.conclusion ? { conclusion: input.conclusion } : {}),
  };
}

/**
 * What a patient's insurer covers: the payor is the insurer organisation by its ledger id, the
 * subscriber and the beneficiary the patient (by ledger address) unless another subscriber is named.
 */
export function buildCoverage(input: {
  patient: string;
  insurer: string;
  insurerOrganisation: number;
  /** The member number the insurer knows the subscriber by. */
  subscriberId?: string;
  /** The subscriber's ledger address when it is not the patient. */
  subscriber?: string;
}): BuiltResource {
  const self = !input.subscriber || input.subscriber.toLowerCase() === input.patient.toLowerCase();
  return {
    resourceType: 'Coverage',
    id: newId(),
    status: 'active',
    subscriber: patientReference(input.subscriber ?? input.patient),
    ...(input.subscriberId ? { subscriberId: input.subscriberId } : {}),
    beneficiary: patientReference(input.patient),
    relationship: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship',
          code: self ? 'self' : 'other',
        },
      ],
    },
    payor: [organisationReference(input.insurerOrganisation, input.insurer)],
  };
}

/** One billed service of a claim: its code (in `system` when given), what it is, and its amount. */
export interface ClaimItemInput {
  code: string;
  system?: string;
  description: string;
  amount: number;
}

function money(value: number, currency: string) {
  return { value: Math.round(value * 100) / 100, currency };
}

/**
 * A hospital's claim to a patient's insurer after an encounter (`use` claim): the provider and the
 * insurer by ledger organisation id and name, the patient's Coverage as `Coverage/<id>` when known,
 * else by the insurer's identifier; one item of quantity 1 per billed service, and their total.
 */
export function buildClaim(input: {
  patient: string;
  provider: string;
  providerOrganisation?: number;
  insurer: string;
  insurerOrganisation?: number;
  /** The FHIR id of the patient's Coverage record, when known. */
  coverage?: string;
  items: readonly ClaimItemInput[];
  /** ISO 4217, e.g. EUR. */
  currency: string;
  /** The FHIR id of the encounter the services were given in. */
  encounter?: string;
  type?: 'institutional' | 'professional' | 'pharmacy';
}): BuiltResource {
  const currency = input.currency.toUpperCase();
  const total = input.items.reduce((sum, item) => sum + item.amount, 0);
  return {
    resourceType: 'Claim',
    id: newId(),
    status: 'active',
    type: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: input.type ?? 'institutional' },
      ],
    },
    use: 'claim',
    patient: patientReference(input.patient),
    created: now(),
    insurer: organisationReference(input.insurerOrganisation, input.insurer),
    provider: organisationReference(input.providerOrganisation, input.provider),
    priority: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }],
    },
    insurance: [
      {
        sequence: 1,
        focal: true,
        coverage: input.coverage
          ? { reference: `Coverage/${input.coverage}` }
          : {
              type: 'Coverage',
              identifier: {
                system: 'urn:medledger:organisation',
                value: String(input.insurerOrganisation ?? ''),
              },
              display: `Coverage by ${input.insurer}`,
            },
      },
    ],
    item: input.items.map((item, index) => ({
      sequence: index + 1,
      productOrService: {
        coding: [
          { ...(item.system ? { system: item.system } : {}), code: item.code, display: item.description },
        ],
        text: item.description,
      },
      ...(input.encounter ? { encounter: [{ reference: `Encounter/${input.encounter}` }] } : {}),
      quantity: { value: 1 },
      unitPrice: money(item.amount, currency),
      net: money(item.amount, currency),
    })),
    total: money(total, currency),
  };
}

/** An insurer's decision on a claim, as `buildClaimResponse` records it and `claimDecisionOf` reads it. */
export type ClaimDecision = 'approved' | 'partial' | 'denied';

const claimOutcomes = { approved: 'complete', partial: 'partial', denied: 'error' } as const;
const adjudication = 'http://terminology.hl7.org/CodeSystem/adjudication';

function adjudicationCategory(code: 'submitted' | 'eligible' | 'benefit') {
  return { coding: [{ system: adjudication, code }] };
}

/**
 * An insurer's answer to a claim (request `Claim/<claimId>`): outcome `complete` when approved,
 * `partial` when partly approved, `error` when denied (with the reason as the error); per item the
 * submitted amount, the eligible and the benefit amounts (the benefit given is spread over the items
 * in order, each up to its amount; approved without a benefit pays everything, denied nothing);
 * totals submitted and benefit, and the payment. Throws `InvalidInputError`
 * (`claim_benefit_out_of_range`) for a benefit below 0 or above the claim's total, or a denial with one.
 */
export function buildClaimResponse(input: {
  patient: string;
  /** The Claim as recorded (its items and total are read). */
  claim: Record<string, unknown>;
  /** The claim's FHIR id: its order's request record id without `0x`. */
  claimId: string;
  insurer: string;
  insurerOrganisation?: number;
  decision: ClaimDecision;
  /** The total paid; everything when approved and not given, nothing when denied. */
  benefit?: number;
  reason?: string;
}): BuiltResource {
  const items = claimItems(input.claim);
  const total = claimTotal(input.claim, items);
  const currency = total.currency;
  const submitted = total.value;
  const benefit = input.benefit ?? (input.decision === 'approved' ? submitted : 0);
  if (!(benefit >= 0 && benefit <= submitted + 0.005) || (input.decision === 'denied' && benefit > 0)) {
    throw new InvalidInputError(
      input.decision === 'denied'
        ? 'A denied claim pays nothing.'
        : `The benefit must be between 0 and the claim's total of ${submitted} ${currency}.`,
      { reason: 'claim_benefit_out_of_range', fields: { benefit, total: submitted } },
    );
  }
  let remaining = benefit;
  const adjudicated = items.map((item) => {
    const paid = Math.min(remaining, item.net);
    remaining -= paid;
    return {
      itemSequence: item.sequence,
      adjudication: [
        { category: adjudicationCategory('submitted'), amount: money(item.net, currency) },
        { category: adjudicationCategory('eligible'), amount: money(paid, currency) },
        {
          category: adjudicationCategory('benefit'),
          ...(input.reason && paid < item.net ? { reason: { text: input.reason } } : {}),
          amount: money(paid, currency),
        },
      ],
    };
  });
  const disposition = {
    approved: 'Claim approved',
    partial: 'Claim partly approved',
    denied: 'Claim denied',
  }[input.decision];
  return {
    resourceType: 'ClaimResponse',
    id: newId(),
    status: 'active',
    type: input.claim.type ?? {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'institutional' }],
    },
    use: 'claim',
    patient: patientReference(input.patient),
    created: now(),
    insurer: organisationReference(input.insurerOrganisation, input.insurer),
    ...(isRecord(input.claim.provider) ? { requestor: input.claim.provider } : {}),
    request: { reference: `Claim/${input.claimId}` },
    outcome: claimOutcomes[input.decision],
    disposition: input.reason ? `${disposition}: ${input.reason}` : disposition,
    item: adjudicated,
    total: [
      { category: adjudicationCategory('submitted'), amount: money(submitted, currency) },
      { category: adjudicationCategory('benefit'), amount: money(benefit, currency) },
    ],
    ...(benefit > 0
      ? {
          payment: {
            type: {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/ex-paymenttype',
                  code: input.decision === 'approved' ? 'complete' : 'partial',
                },
              ],
            },
            amount: money(benefit, currency),
          },
        }
      : {}),
    ...(input.decision === 'denied' ? { error: [{ code: { text: input.reason ?? 'Claim denied' } }] } : {}),
  };
}

/** The decision a ClaimResponse built by `buildClaimResponse` records; undefined for any other resource. */
export function claimDecisionOf(resource: unknown): ClaimDecision | undefined {
  if (!isRecord(resource) || resource.resourceType !== 'ClaimResponse') return undefined;
  const decision = Object.entries(claimOutcomes).find(([, outcome]) => outcome === resource.outcome);
  return decision?.[0] as ClaimDecision | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function claimItems(claim: Record<string, unknown>): { sequence: number; net: number }[] {
  const items = Array.isArray(claim.item) ? claim.item : [];
  return items.filter(isRecord).map((item, index) => {
    const net = isRecord(item.net) ? item.net : isRecord(item.unitPrice) ? item.unitPrice : {};
    return {
      sequence: typeof item.sequence === 'number' ? item.sequence : index + 1,
      net: typeof net.value === 'number' ? net.value : 0,
    };
  });
}

function claimTotal(
  claim: Record<string, unknown>,
  items: { net: number }[],
): { value: number; currency: string } {
  const total = isRecord(claim.total) ? claim.total : {};
  const firstItem = Array.isArray(claim.item) && isRecord(claim.item[0]) ? claim.item[0] : {};
  const itemCurrency = isRecord(firstItem.net) ? firstItem.net.currency : undefined;
  const currency = typeof total.currency === 'string' ? total.currency : itemCurrency;
  return {
    value: typeof total.value === 'number' ? total.value : items.reduce((sum, item) => sum + item.net, 0),
    currency: typeof currency === 'string' ? currency : 'EUR',
  };
}

/**
 * A prescription as an order (`buildPrescription` with its dispense request): `quantity` to dispense
 * at each fill, in `unit`, `refills` more fills after the first, optionally at one pharmacy
 * (by ledger organisation id). The order on the ledger counts `quantity × (1 + refills)` in all
 * over `1 + refills` fills.
 */
export function buildPrescriptionOrder(
  input: Parameters<typeof buildPrescription>[0] & {
    quantity: number;
    unit: string;
    refills: number;
    pharmacy?: { organisationId: number; name: string };
  },
): BuiltResource {
  return {
    ...buildPrescription(input),
    dispenseRequest: {
      numberOfRepeatsAllowed: input.refills,
      quantity: { value: input.quantity, unit: input.unit },
      ...(input.pharmacy
        ? { performer: organisationReference(input.pharmacy.organisationId, input.pharmacy.name) }
        : {}),
    },
  };
}

/** A patient's administrative gender, as FHIR R4 codes it. */
export const patientGenders = ['female', 'male', 'other', 'unknown'] as const;
export type PatientGender = (typeof patientGenders)[number];

/** What a patient says of themselves in their profile; every field but the name is optional. */
export interface PatientProfileInput {
  /** The patient's ledger address: the profile's logical identifier. */
  patient: string;
  /** Given names, space separated as the patient writes them. */
  given?: string;
  family: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  gender?: PatientGender;
  phone?: string;
  email?: string;
}

/**
 * A patient's demographics as a FHIR R4 Patient, recorded under category demographics (encrypted
 * like every record: the name never reaches the gateway or the chain in clear). The patient is
 * identified by their ledger address, as every other resource refers to them.
 */
export function buildPatientProfile(input: PatientProfileInput): BuiltResource {
  const given = (input.given ?? '').split(/\s+/).filter(Boolean);
  const family = input.family.trim();
  const telecom = [
    ...(input.phone?.trim() ? [{ system: 'phone', value: input.phone.trim(), use: 'mobile' }] : []),
    ...(input.email?.trim() ? [{ system: 'email', value: input.email.trim() }] : []),
  ];
  return {
    resourceType: 'Patient',
    id: newId(),
    identifier: [patientReference(input.patient).identifier],
    active: true,
    name: [
      {
        use: 'official',
        text: [...given, family].join(' '),
        family,
        ...(given.length ? { given } : {}),
      },
    ],
    ...(telecom.length ? { telecom } : {}),
    ...(input.gender ? { gender: input.gender } : {}),
    ...(input.birthDate ? { birthDate: input.birthDate } : {}),
  };
}

/** A practitioner referenced by their ledger address, as the patient is. */
export function practitionerReference(address: string) {
  return {
    identifier: { system: 'urn:medledger:address', value: address.toLowerCase() },
    type: 'Practitioner',
  };
}

/**
 * An appointment of the patient with a practitioner in one of the organisation's slots: the
 * patient's own record (category `administrative`). A cancellation is a new version of it (a record
 * superseding the booked one) with status `cancelled`; `slotId` and `appointmentId` are the
 * gateway's numbers, kept as identifiers so that either version finds its booking.
 */
export function buildAppointment(input: {
  patient: string;
  practitioner: string;
  organisationId: number;
  appointmentId: number;
  slotId: number;
  /** ISO 8601 instants. */
  start: string;
  end: string;
  status: 'booked' | 'cancelled';
  description?: string;
  /** When cancelled: why, e.g. `patient`, `practitioner`, `rescheduled`. */
  cancelationReason?: string;
  /** The FHIR id the booked version had, kept by the cancelled version. */
  id?: string;
}): BuiltResource {
  return {
    resourceType: 'Appointment',
    id: input.id ?? newId(),
    identifier: [{ system: 'urn:medledger:appointment', value: String(input.appointmentId) }],
    status: input.status,
    ...(input.status === 'cancelled' && input.cancelationReason
      ? { cancelationReason: { text: input.cancelationReason } }
      : {}),
    ...(input.description ? { description: input.description } : {}),
    start: input.start,
    end: input.end,
    minutesDuration: Math.round((Date.parse(input.end) - Date.parse(input.start)) / 60_000),
    slot: [{ identifier: { system: 'urn:medledger:slot', value: String(input.slotId) }, type: 'Slot' }],
    created: now(),
    participant: [
      { actor: patientReference(input.patient), status: 'accepted', required: 'required' },
      { actor: practitionerReference(input.practitioner), status: 'accepted', required: 'required' },
      {
        actor: {
          identifier: { system: 'urn:medledger:organisation', value: String(input.organisationId) },
          type: 'Organization',
        },
        status: 'accepted',
      },
    ],
  };
}

/**
 * A practitioner's free and busy times as FHIR: one Schedule for the practitioner at the
 * organisation, and a Slot per time (availability only: no patient is named).
 */
export function buildSchedule(input: {
  practitioner: string;
  organisationId: number;
  slots: readonly { slotId: number; start: string; end: string; free: boolean }[];
}): { schedule: BuiltResource; slots: BuiltResource[] } {
  const scheduleId = `${input.organisationId}-${input.practitioner.toLowerCase().slice(2)}`;
  return {
    schedule: {
      resourceType: 'Schedule',
      id: scheduleId,
      active: true,
      actor: [
        practitionerReference(input.practitioner),
        {
          identifier: { system: 'urn:medledger:organisation', value: String(input.organisationId) },
          type: 'Organization',
        },
      ],
    },
    slots: input.slots.map((slot) => ({
      resourceType: 'Slot',
      id: String(slot.slotId),
      schedule: { reference: `Schedule/${scheduleId}` },
      status: slot.free ? 'free' : 'busy',
      start: slot.start,
      end: slot.end,
    })),
  };
}

/** The category each builder's resource is recorded under. */
export const builtCategory = {
  DocumentReference: 'note',
  Condition: 'condition',
  MedicationRequest: 'medication',
  MedicationDispense: 'medication',
  ServiceRequest: 'lab',
  Observation: 'lab',
  DiagnosticReport: 'lab',
  Coverage: 'insurance',
  Claim: 'insurance',
  ClaimResponse: 'insurance',
  Patient: 'demographics',
  Appointment: 'administrative',
  Schedule: 'administrative',
  Slot: 'administrative',
} as const satisfies Record<string, Category>;
