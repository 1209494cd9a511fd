/**
 * The appointments area: clinicians' free slots, published at their organisation's gateway
 * (availability, not health data), and patients' appointments in them. Booking takes a slot
 * (`POST /api/appointments`, held for a few minutes), the patient's client then grants the
 * clinician the visit's consent and writes the encrypted Appointment record, and confirms
 * (`POST /api/appointments/:id/confirmation`). Cancelling frees the slot and ends the consent.
 * Times are unix seconds.
 */
import type { ApiType } from './apiType.ts';
import { address, bytes32, category, nullable, object, uint32 } from './schemaParts.ts';

const unixSeconds = { type: 'integer', minimum: 0, maximum: 253_402_300_799 } as const;
const decimalId = { type: 'string', pattern: '^[0-9]{1,15}$' } as const;
const unixSecondsParam = { type: 'string', pattern: '^[0-9]{1,12}$', description: 'unix seconds' } as const;

/** The most slots one publication adds. */
export const maxSlotsPerPublication = 200;
/** The longest follow-up margin a visit's consent may run past the visit's end: 30 days, in hours. */
export const maxFollowUpHours = 720;

/** `POST /api/slots`: slots of `minutes` each from `from` to `to`, for `practitioner` (oneself, or a member one administers). */
export const publishSlotsBody = object(
  {
    practitioner: address,
    from: unixSeconds,
    to: unixSeconds,
    minutes: { type: 'integer', minimum: 5, maximum: 480, description: 'length of each slot' },
  },
  ['practitioner', 'from', 'to', 'minutes'],
);
export type PublishSlotsBody = ApiType<typeof publishSlotsBody>;

/** A slot: a time a practitioner of an organisation is available (or was, when held or booked). */
export const slot = object(
  {
    slotId: { type: 'integer' },
    organisationId: { type: 'integer' },
    practitioner: address,
    start: unixSeconds,
    end: unixSeconds,
    status: { type: 'string', enum: ['free', 'held', 'booked'] },
  },
  ['slotId', 'organisationId', 'practitioner', 'start', 'end', 'status'],
);
export type Slot = ApiType<typeof slot>;

export const slotList = object({ slots: { type: 'array', items: slot } }, ['slots']);
export type SlotList = ApiType<typeof slotList>;

/** `GET /api/slots` query: by organisation and/or practitioner, starting in [from, to). */
export const slotQuery = object({
  organisation: decimalId,
  practitioner: address,
  from: unixSecondsParam,
  to: unixSecondsParam,
  status: { type: 'string', enum: ['free', 'all'], description: 'free (default) or all' },
  format: { type: 'string', enum: ['json', 'fhir'] },
});
export type SlotQuery = ApiType<typeof slotQuery>;

/** `GET /api/slots?format=fhir`: a FHIR R4 searchset Bundle of Schedule and Slot resources. */
export const fhirSlotBundle = object(
  {
    resourceType: { type: 'string', const: 'Bundle' },
    type: { type: 'string', const: 'searchset' },
    total: { type: 'integer' },
    entry: {
      type: 'array',
      items: object({ resource: { type: 'object', additionalProperties: true } }, ['resource']),
    },
  },
  ['resourceType', 'type', 'total', 'entry'],
);
export type FhirSlotBundle = ApiType<typeof fhirSlotBundle>;

export const slotAnswer = { anyOf: [slotList, fhirSlotBundle] } as const;

/** `POST /api/appointments`: the patient takes a slot for the visit (held until confirmed). */
export const bookAppointmentBody = object(
  {
    slotId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    categories: {
      type: 'array',
      items: category,
      maxItems: 16,
      uniqueItems: true,
      description: 'what the clinician may read and add for the visit (administrative is always added)',
    },
    followUpHours: {
      type: 'integer',
      minimum: 0,
      maximum: maxFollowUpHours,
      description: 'how long after the visit the consent lasts (default 24)',
    },
    replaces: { ...uint32, description: 'the appointment this one reschedules' },
  },
  ['slotId', 'categories'],
);
export type BookAppointmentBody = ApiType<typeof bookAppointmentBody>;

/** `POST /api/appointments/:id/confirmation`: the visit's grant and the Appointment record, once made. */
export const confirmAppointmentBody = object(
  { grantId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, recordId: bytes32 },
  ['grantId', 'recordId'],
);
export type ConfirmAppointmentBody = ApiType<typeof confirmAppointmentBody>;

/** `POST /api/appointments/:id/cancellation`, by its patient or its practitioner. */
export const cancelAppointmentBody = object({
  reason: { type: 'string', enum: ['patient', 'practitioner', 'rescheduled', 'booking-failed'] },
  recordId: { ...bytes32, description: 'the Appointment record (status cancelled) written for it' },
  grantId: {
    type: 'integer',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'a booking that failed before confirming: the grant it made, ended with it',
  },
  rescheduledTo: { ...uint32, description: 'the appointment that replaces it' },
});
export type CancelAppointmentBody = ApiType<typeof cancelAppointmentBody>;

/** An appointment: who, when, its state, and the consent it gave for the visit. */
export const appointment = object(
  {
    appointmentId: { type: 'integer' },
    slotId: { type: 'integer' },
    organisationId: { type: 'integer' },
    practitioner: address,
    patient: address,
    start: unixSeconds,
    end: unixSeconds,
    status: { type: 'string', enum: ['pending', 'booked', 'cancelled'] },
    categories: { type: 'array', items: category },
    consentExpiresAt: { ...unixSeconds, description: 'the expiry the visit’s grant must have' },
    holdUntil: { ...unixSeconds, description: 'a pending booking holds its slot until then' },
    grantId: { type: ['integer', 'null'] },
    recordId: nullable(bytes32),
    consent: {
      type: 'string',
      enum: ['none', 'active', 'ended', 'revoked', 'expired'],
      description: 'ended: cancelled, the gateway no longer honours it, its patient has not revoked it yet',
    },
    replaces: { type: ['integer', 'null'] },
    replacedBy: { type: ['integer', 'null'] },
    cancelledBy: nullable(address),
    cancelReason: { type: ['string', 'null'] },
    cancelRecordId: nullable(bytes32),
  },
  [
    'appointmentId',
    'slotId',
    'organisationId',
    'practitioner',
    'patient',
    'start',
    'end',
    'status',
    'categories',
    'consentExpiresAt',
    'holdUntil',
    'grantId',
    'recordId',
    'consent',
    'replaces',
    'replacedBy',
    'cancelledBy',
    'cancelReason',
    'cancelRecordId',
  ],
);
export type Appointment = ApiType<typeof appointment>;

export const appointmentList = object({ appointments: { type: 'array', items: appointment } }, [
  'appointments',
]);
export type AppointmentList = ApiType<typeof appointmentList>;

/** `GET /api/appointments` query: the caller's as patient or as practitioner, starting in [from, to). */
export const appointmentQuery = object(
  {
    view: { type: 'string', enum: ['patient', 'practitioner'] },
    from: unixSecondsParam,
    to: unixSecondsParam,
  },
  ['view'],
);
export type AppointmentQuery = ApiType<typeof appointmentQuery>;
