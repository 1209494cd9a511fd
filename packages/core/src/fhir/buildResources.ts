/**
 * The FHIR R4 resources the web app's forms and the CLI's workflow commands produce. Each builder returns a resource that passes
 * core's `validateResource` for its category (checked in test/buildResources.test.ts). The patient
 * is referenced by their ledger address as a logical identifier, never by name.
 */
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
  Patient: 'demographics',
  Appointment: 'administrative',
  Schedule: 'administrative',
  Slot: 'administrative',
} as const satisfies Record<string, Category>;
