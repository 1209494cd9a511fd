/**
 * Appointments, from the client's side: slots published at the clinicians' organisation's gateway
 * (this client must be a client of that gateway), bookings whose consent and Appointment record
 * the patient signs here, cancellations, reschedulings and the clinician's day list.
 */
import type { Appointment, AppointmentList, FhirSlotBundle, Slot, SlotList } from '@medledger/api';
import { buildAppointment, type Category, InvalidInputError } from '@medledger/core';
import type { Hex } from 'viem';
import type { Transport } from '../transport.ts';
import { addRecord } from './addRecord.ts';
import { grantConsent } from './grantConsent.ts';
import { readRecord } from './readRecord.ts';
import { revokeConsent } from './revokeConsent.ts';

const seconds = (time: Date | number) =>
  typeof time === 'number' ? time : Math.floor(time.getTime() / 1000);
const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

export interface PublishSlotsParameters {
  /** The doctor or nurse; this identity by default (an admin names a member of its organisation). */
  practitioner?: Hex;
  from: Date | number;
  to: Date | number;
  /** Length of each slot. */
  minutes: number;
}

/**
 * Publishes free slots of `minutes` from `from` to `to`; resolves with those added (slots already
 * published at the same start are kept).
 *
 * @example
 * const added = await publishSlots(doctor, { from: new Date('2026-12-04T09:00Z'), to: new Date('2026-12-04T12:00Z'), minutes: 20 });
 */
export async function publishSlots(client: Transport, input: PublishSlotsParameters): Promise<Slot[]> {
  const { slots } = await client.call<SlotList>('POST', '/api/slots', {
    practitioner: input.practitioner ?? client.address,
    from: seconds(input.from),
    to: seconds(input.to),
    minutes: input.minutes,
  });
  return slots;
}

export interface SlotQueryParameters {
  organisationId?: number;
  practitioner?: Hex;
  from?: Date | number;
  to?: Date | number;
  /** Free slots only (default), or all. */
  status?: 'free' | 'all';
}

function slotSearch(query: SlotQueryParameters, format?: 'fhir'): string {
  const params = new URLSearchParams();
  if (query.organisationId) params.set('organisation', String(query.organisationId));
  if (query.practitioner) params.set('practitioner', query.practitioner);
  if (query.from !== undefined) params.set('from', String(seconds(query.from)));
  if (query.to !== undefined) params.set('to', String(seconds(query.to)));
  if (query.status) params.set('status', query.status);
  if (format) params.set('format', format);
  return `/api/slots?${params}`;
}

/**
 * Slots by organisation, practitioner and time (the next 14 days by default), free ones unless `status: 'all'`.
 *
 * @example
 * const free = await listSlots(patient, { organisationId: 1 });
 */
export async function listSlots(client: Transport, query: SlotQueryParameters = {}): Promise<Slot[]> {
  return (await client.call<SlotList>('GET', slotSearch(query))).slots;
}

/** The same slots as a FHIR R4 Bundle of Schedule and Slot resources. */
export function slotsAsFhir(client: Transport, query: SlotQueryParameters = {}): Promise<FhirSlotBundle> {
  return client.call<FhirSlotBundle>('GET', slotSearch(query, 'fhir'));
}

export interface BookAppointmentParameters {
  slotId: number;
  /** What the clinician may read and add for the visit; `administrative` (the appointment) is always added. */
  categories: Category[];
  /** How long the consent lasts after the visit's end, in hours: 24 by default, at most 720. */
  followUpHours?: number;
  /** A note kept in the encrypted Appointment record (what the visit is for). */
  description?: string;
  /** The appointment this one reschedules (see `rescheduleAppointment`). */
  replaces?: number;
  /** The current one-time code, when the patient turned its second factor on. */
  otp?: string;
}

/**
 * As a patient: books a slot. Takes the slot at the gateway (`ConflictError` `slot_taken` if
 * another booking has it), grants the clinician read and append on the categories and
 * `administrative` until the visit's end plus the follow-up margin, writes the encrypted
 * Appointment record, and confirms. If a step fails, the booking is cancelled (the slot freed)
 * and the grant, if made, revoked, before the error is thrown.
 *
 * @example
 * const appointment = await bookAppointment(patient, { slotId: 12, categories: ['condition', 'medication'] });
 */
export async function bookAppointment(
  client: Transport,
  input: BookAppointmentParameters,
): Promise<Appointment> {
  const pending = await client.call<Appointment>('POST', '/api/appointments', {
    slotId: input.slotId,
    categories: input.categories,
    ...(input.followUpHours !== undefined ? { followUpHours: input.followUpHours } : {}),
    ...(input.replaces !== undefined ? { replaces: input.replaces } : {}),
  });
  let grantId: number | undefined;
  try {
    ({ grantId } = await grantConsent(client, {
      grantee: pending.practitioner,
      categories: pending.categories as Category[],
      actions: ['read', 'append'],
      expiresInSeconds: pending.consentExpiresAt - Math.floor(Date.now() / 1000),
      ...(input.otp ? { otp: input.otp } : {}),
    }));
    const { recordId } = await addRecord(client, {
      patient: client.address,
      category: 'administrative',
      resource: buildAppointment({
        patient: client.address,
        practitioner: pending.practitioner,
        organisationId: pending.organisationId,
        appointmentId: pending.appointmentId,
        slotId: pending.slotId,
        start: iso(pending.start),
        end: iso(pending.end),
        status: 'booked',
        ...(input.description ? { description: input.description } : {}),
      }),
    });
    return await client.call<Appointment>('POST', `/api/appointments/${pending.appointmentId}/confirmation`, {
      grantId,
      recordId,
    });
  } catch (error) {
    await client
      .call('POST', `/api/appointments/${pending.appointmentId}/cancellation`, {
        reason: 'booking-failed',
        ...(grantId !== undefined ? { grantId } : {}),
      })
      .catch(() => undefined); // the hold lapses by itself
    if (grantId !== undefined) await revokeConsent(client, grantId).catch(() => undefined);
    throw error;
  }
}

/** One appointment (its patient's or its practitioner's). */
export function appointmentOf(client: Transport, appointmentId: number): Promise<Appointment> {
  return client.call<Appointment>('GET', `/api/appointments/${appointmentId}`);
}

export interface CancelAppointmentParameters {
  /** Why: `patient` or `practitioner` (who cancels, by default), or `rescheduled`. */
  reason?: 'patient' | 'practitioner' | 'rescheduled';
  rescheduledTo?: number;
}

/**
 * As its patient or its practitioner: cancels an appointment. Writes the Appointment record's
 * cancelled version (a record superseding the booked one), cancels at the gateway (the slot is
 * free again and the gateway stops honouring the visit's grant), and, as the patient, revokes the
 * grant on chain. A clinician cannot revoke the patient's grant: the patient's client does when it
 * next lists its appointments (`revokeEndedAppointmentConsents`).
 *
 * @example
 * await cancelAppointment(patient, appointmentId);
 */
export async function cancelAppointment(
  client: Transport,
  appointmentId: number,
  input: CancelAppointmentParameters = {},
): Promise<Appointment> {
  const booked = await appointmentOf(client, appointmentId);
  const asPatient = booked.patient.toLowerCase() === client.address.toLowerCase();
  const reason = input.reason ?? (asPatient ? 'patient' : 'practitioner');
  let recordId: Hex | undefined;
  if (booked.recordId && booked.status === 'booked') {
    recordId = await writeCancelledVersion(client, booked, reason).catch(() => undefined);
  }
  let cancelled = await client.call<Appointment>('POST', `/api/appointments/${appointmentId}/cancellation`, {
    reason,
    ...(recordId ? { recordId } : {}),
    ...(input.rescheduledTo !== undefined ? { rescheduledTo: input.rescheduledTo } : {}),
  });
  if (asPatient && cancelled.grantId !== null && cancelled.consent === 'ended') {
    await revokeConsent(client, cancelled.grantId);
    cancelled = await appointmentOf(client, appointmentId);
  }
  return cancelled;
}

/** The cancelled version of the booked Appointment record, keeping its FHIR id; resolves with its record id. */
async function writeCancelledVersion(client: Transport, booked: Appointment, reason: string): Promise<Hex> {
  const previous = (await readRecord(client, booked.recordId as Hex, 'TREAT')).resource as {
    id?: string;
    description?: string;
  };
  const { recordId } = await addRecord(client, {
    patient: booked.patient,
    category: 'administrative',
    supersedes: booked.recordId as Hex,
    resource: buildAppointment({
      patient: booked.patient,
      practitioner: booked.practitioner,
      organisationId: booked.organisationId,
      appointmentId: booked.appointmentId,
      slotId: booked.slotId,
      start: iso(booked.start),
      end: iso(booked.end),
      status: 'cancelled',
      cancelationReason: reason,
      ...(previous.id ? { id: previous.id } : {}),
      ...(previous.description ? { description: previous.description } : {}),
    }),
  });
  return recordId;
}

/**
 * As the patient: moves an appointment to another slot: books the new one (same categories unless
 * given), then cancels the old one as `rescheduled`. If the new booking fails, the old one stands.
 *
 * @example
 * const { booked, cancelled } = await rescheduleAppointment(patient, appointmentId, { slotId: 14 });
 */
export async function rescheduleAppointment(
  client: Transport,
  appointmentId: number,
  input: Omit<BookAppointmentParameters, 'replaces' | 'categories'> & { categories?: Category[] },
): Promise<{ booked: Appointment; cancelled: Appointment }> {
  const old = await appointmentOf(client, appointmentId);
  if (old.status !== 'booked') {
    throw new InvalidInputError(`Appointment ${appointmentId} is ${old.status}, not booked.`, {
      reason: 'not_reschedulable',
    });
  }
  const booked = await bookAppointment(client, {
    ...input,
    categories: input.categories ?? (old.categories as Category[]),
    replaces: appointmentId,
  });
  const cancelled = await cancelAppointment(client, appointmentId, {
    reason: 'rescheduled',
    rescheduledTo: booked.appointmentId,
  });
  return { booked, cancelled };
}

export interface ListAppointmentsParameters {
  /** This identity's appointments as the patient, or as the practitioner. */
  view: 'patient' | 'practitioner';
  from?: Date | number;
  to?: Date | number;
}

/**
 * This identity's appointments, by start time.
 *
 * @example
 * const mine = await listAppointments(patient, { view: 'patient' });
 */
export async function listAppointments(
  client: Transport,
  query: ListAppointmentsParameters,
): Promise<Appointment[]> {
  const params = new URLSearchParams({ view: query.view });
  if (query.from !== undefined) params.set('from', String(seconds(query.from)));
  if (query.to !== undefined) params.set('to', String(seconds(query.to)));
  return (await client.call<AppointmentList>('GET', `/api/appointments?${params}`)).appointments;
}

export interface DayListEntry extends Appointment {
  /** The Appointment record, read under the visit's grant; null when it cannot be read (cancelled, say). */
  resource: Record<string, unknown> | null;
}

/**
 * As a clinician: the appointments of one day (local time of `day`), each with its Appointment
 * record read under the patient's grant (the read is audited and the patient told of it).
 *
 * @example
 * const today = await dayList(doctor, new Date());
 */
export async function dayList(client: Transport, day: Date = new Date()): Promise<DayListEntry[]> {
  const start = new Date(day.getFullYear(), day.getMonth(), day.getDate());
  const end = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);
  const appointments = await listAppointments(client, { view: 'practitioner', from: start, to: end });
  return Promise.all(
    appointments.map(async (appointment) => {
      if (appointment.status !== 'booked' || !appointment.recordId) return { ...appointment, resource: null };
      const resource = await readRecord(client, appointment.recordId as Hex, 'TREAT')
        .then((read) => read.resource as Record<string, unknown>)
        .catch(() => null);
      return { ...appointment, resource };
    }),
  );
}

/**
 * As a patient: revokes on chain the grants of appointments that were cancelled (by the clinician,
 * or a revocation that failed), which the gateway already no longer honours. Resolves with the
 * grants revoked.
 *
 * @example
 * const revoked = await revokeEndedAppointmentConsents(patient);
 */
export async function revokeEndedAppointmentConsents(client: Transport): Promise<number[]> {
  const ended = (await listAppointments(client, { view: 'patient' })).filter(
    (appointment) => appointment.consent === 'ended' && appointment.grantId !== null,
  );
  const revoked: number[] = [];
  for (const appointment of ended) {
    await revokeConsent(client, appointment.grantId as number);
    revoked.push(appointment.grantId as number);
  }
  return revoked;
}
