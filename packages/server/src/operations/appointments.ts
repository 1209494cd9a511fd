/**
 * Appointments: clinicians' slots and patients' bookings in them, kept by the gateway of the
 * clinicians' organisation (a patient books through that gateway).
 *
 * Booking is three steps of the patient's client, so that the patient alone signs what gives
 * access: (1) `bookAppointment` takes the slot (one conditional UPDATE: of two bookings of one slot
 * one wins, the other gets `ConflictError` `slot_taken`) and holds it for `bookingHoldMs`; (2) the
 * client grants the clinician read and append on the chosen categories and `administrative`,
 * expiring `consentExpiresAt` (the visit's end plus the follow-up margin), and writes the encrypted
 * Appointment record; (3) `confirmAppointment` checks both against the index and books the slot.
 *
 * When a step fails: the client cancels the pending booking (with the grant it made, if any) and
 * revokes the grant; a client that vanished leaves a hold that lapses by itself (the slot reads
 * free again and the next booking takes it), and a grant made but never confirmed expires at the
 * visit's end plus the margin at the latest. Cancelling (patient or clinician) frees the slot and
 * ends the consent at this gateway at once (`accessControl` no longer honours the grant); the
 * patient's client revokes it on chain (at once when it cancels, else when it next lists its
 * appointments). Every state change and refusal is audited under the patient.
 */
import type {
  Appointment,
  AppointmentList,
  AppointmentQuery,
  BookAppointmentBody,
  CancelAppointmentBody,
  ConfirmAppointmentBody,
  FhirSlotBundle,
  PublishSlotsBody,
  Slot,
  SlotList,
  SlotQuery,
} from '@medledger/api';
import { maxSlotsPerPublication } from '@medledger/api';
import {
  actionBits,
  buildSchedule,
  type Category,
  categoriesOfMask,
  categoryIndex,
  categoryMask,
  InvalidInputError,
  MedledgerError,
  NotFoundError,
} from '@medledger/core';
import { type Address, type Hex, isAddressEqual } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { hostedOrganisations } from '../organisations.ts';
import type { AppointmentRow, SlotRow } from '../store/appointmentStore.ts';

/** How long a booking holds its slot while the patient's client grants consent and writes the record. */
export const bookingHoldMs = 10 * 60_000;
/** The consent's follow-up margin after the visit's end unless the patient chooses another: a day. */
export const defaultFollowUpHours = 24;
/** How far a grant's expiry may differ from the one asked (the client computes it on its own clock). */
const expirySlackSeconds = 300;
const defaultSlotWindowSeconds = 14 * 24 * 3600;

/**
 * Publishes slots of `minutes` from `from` to `to` for a practitioner of an organisation this
 * gateway hosts; slots already published (same practitioner and start) are kept as they are.
 * Throws `AccessDeniedError` (`not_practitioner`, `not_organisation_admin`) and `InvalidInputError`
 * (`invalid_slot_range`, `too_many_slots`, `organisation_not_hosted`).
 */
export async function publishSlots(
  services: GatewayServices,
  session: Session,
  body: PublishSlotsBody,
): Promise<SlotList> {
  const step = body.minutes * 60;
  const count = Math.floor((body.to - body.from) / step);
  if (count < 1 || body.to <= Date.now() / 1000) {
    throw new InvalidInputError('Slots need a range in the future at least one slot long.', {
      reason: 'invalid_slot_range',
    });
  }
  if (count > maxSlotsPerPublication) {
    throw new InvalidInputError(
      `One publication makes up to ${maxSlotsPerPublication} slots; this range and length make ${count}.`,
      {
        reason: 'too_many_slots',
        fields: { count },
      },
    );
  }
  const practitioner = body.practitioner.toLowerCase() as Address;
  const organisationId = await services.access.authoriseSlotPublishing(session.address, practitioner);
  await requireHosted(services, organisationId);
  const slots = Array.from({ length: count }, (_, index) => ({
    organisationId,
    practitioner,
    startsAt: body.from + index * step,
    endsAt: body.from + (index + 1) * step,
  }));
  const added = await services.appointments.addSlots(slots, session.address);
  return { slots: added.map(describeSlot) };
}

/** Slots by organisation and/or practitioner, free ones unless `status=all`; JSON or a FHIR Bundle. */
export async function listSlots(
  services: GatewayServices,
  query: SlotQuery,
): Promise<SlotList | FhirSlotBundle> {
  const from = query.from ? Number(query.from) : Math.floor(Date.now() / 1000);
  const to = query.to ? Number(query.to) : from + defaultSlotWindowSeconds;
  const rows = await services.appointments.slots({
    ...(query.organisation ? { organisationId: Number(query.organisation) } : {}),
    ...(query.practitioner ? { practitioner: query.practitioner as Address } : {}),
    from,
    to,
    freeOnly: query.status !== 'all',
    limit: 1000,
  });
  if (query.format !== 'fhir') return { slots: rows.map(describeSlot) };
  const schedules = new Map<string, SlotRow[]>();
  for (const row of rows) {
    const key = `${row.organisationId}:${row.practitioner}`;
    schedules.set(key, [...(schedules.get(key) ?? []), row]);
  }
  const resources = [...schedules.values()].flatMap((slots) => {
    const { schedule, slots: fhirSlots } = buildSchedule({
      practitioner: slots[0]?.practitioner ?? '',
      organisationId: slots[0]?.organisationId ?? 0,
      slots: slots.map((slot) => ({
        slotId: slot.slotId,
        start: isoOf(slot.startsAt),
        end: isoOf(slot.endsAt),
        free: slot.status === 'free',
      })),
    });
    return [schedule, ...fhirSlots];
  });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: rows.length,
    entry: resources.map((resource) => ({ resource })),
  };
}

/**
 * As a patient: takes a slot for a visit, held until confirmed (see the module's comment). The
 * answer says what the visit's grant must be: to `practitioner`, for `categories`, read and append,
 * expiring `consentExpiresAt`. Throws `ConflictError` (`slot_taken`), `NotFoundError`
 * (`no_such_slot`), `InvalidInputError` (`slot_past`, `not_a_patient`, `not_reschedulable`).
 */
export async function bookAppointment(
  services: GatewayServices,
  session: Session,
  body: BookAppointmentBody,
): Promise<Appointment> {
  const patient = session.address.toLowerCase() as Address;
  const slot = await services.appointments.slot(body.slotId);
  if (!slot) throw new NotFoundError(`No slot ${body.slotId}.`, { reason: 'no_such_slot' });
  if (slot.startsAt <= Date.now() / 1000) {
    throw new InvalidInputError(`Slot ${slot.slotId} has begun.`, { reason: 'slot_past' });
  }
  if (!(await services.store.patient(patient))) {
    await services.indexer.sync();
    if (!(await services.store.patient(patient))) {
      throw new InvalidInputError('Only a registered patient books an appointment.', {
        reason: 'not_a_patient',
      });
    }
  }
  if (body.replaces !== undefined) {
    const old = await services.appointments.appointment(body.replaces);
    if (old)
      await services.access.authoriseAppointment(session.address, old, 'appointment-read', ['patient']);
    if (old?.status !== 'booked') {
      throw new InvalidInputError(`Appointment ${body.replaces} is not a booked appointment of yours.`, {
        reason: 'not_reschedulable',
      });
    }
  }
  const categories = categoryMask([...new Set<Category>([...body.categories, 'administrative'])]);
  let row: AppointmentRow;
  try {
    row = await services.appointments.holdSlot({
      slotId: slot.slotId,
      patient,
      categories,
      followUpSeconds: (body.followUpHours ?? defaultFollowUpHours) * 3600,
      holdMs: bookingHoldMs,
      replaces: body.replaces ?? null,
    });
  } catch (error) {
    if (error instanceof MedledgerError && error.reason === 'slot_taken') {
      await services.access.auditDecision(
        session.address,
        patient,
        'appointment-book',
        'denied',
        'slot_taken',
      );
    }
    throw error;
  }
  await services.access.authoriseAppointment(session.address, row, 'appointment-book', ['patient']);
  return describeAppointment(services, row);
}

/**
 * As the patient: books a pending appointment once its grant and Appointment record exist. The
 * grant must be the patient's to the practitioner, unrevoked, reading and appending the booked
 * categories, expiring at `consentExpiresAt` (give or take five minutes) and not before the visit's
 * end; the record the patient's own, of category `administrative`. Throws `InvalidInputError`
 * (`grant_mismatch`, `record_mismatch`), `ConflictError` (`appointment_not_pending`, `slot_taken`).
 */
export async function confirmAppointment(
  services: GatewayServices,
  session: Session,
  input: ConfirmAppointmentBody & { appointmentId: number },
): Promise<Appointment> {
  const row = await appointmentOf(services, input.appointmentId);
  await services.access.authoriseAppointment(session.address, row, 'appointment-confirm', ['patient']);
  await services.indexer.sync();
  const grant = await services.store.grant(input.grantId);
  const wanted = actionBits.read | actionBits.append;
  if (
    !grant ||
    !isAddressEqual(grant.patient, row.patient) ||
    !grant.grantee ||
    !isAddressEqual(grant.grantee, row.practitioner) ||
    grant.revokedAtBlock !== null ||
    (grant.categories & row.categories) !== row.categories ||
    (grant.actions & wanted) !== wanted ||
    grant.expiresAt < row.endsAt ||
    grant.expiresAt > row.consentExpiresAt + expirySlackSeconds
  ) {
    throw new InvalidInputError(
      `Grant ${input.grantId} is not the visit's consent: to ${row.practitioner}, read and append on ` +
        `${categoriesOfMask(row.categories).join(', ')}, expiring at ${row.consentExpiresAt}.`,
      { reason: 'grant_mismatch', fields: { grantId: input.grantId } },
    );
  }
  await requirePatientAppointmentRecord(services, row, input.recordId);
  const booked = await services.appointments.confirm(row.appointmentId, input.grantId, input.recordId);
  await notify(services, booked, 'appointment-booked', {
    ...(booked.replaces !== null ? { replaces: booked.replaces } : {}),
  });
  return describeAppointment(services, booked);
}

/**
 * As its patient or its practitioner: cancels an appointment (pending or booked). The slot is free
 * again and the gateway stops honouring the visit's grant at once; both are notified. Throws
 * `ConflictError` (`appointment_cancelled`), `NotFoundError` (`no_such_appointment`),
 * `InvalidInputError` (`record_mismatch`).
 */
export async function cancelAppointment(
  services: GatewayServices,
  session: Session,
  input: CancelAppointmentBody & { appointmentId: number },
): Promise<Appointment> {
  const row = await appointmentOf(services, input.appointmentId);
  const party = await services.access.authoriseAppointment(session.address, row, 'appointment-cancel');
  if (input.recordId) await requirePatientAppointmentRecord(services, row, input.recordId);
  const cancelled = await services.appointments.cancel(row.appointmentId, {
    by: session.address,
    reason: input.reason ?? party,
    recordId: (input.recordId as Hex | undefined) ?? null,
    ...(input.grantId !== undefined && party === 'patient' && row.status === 'pending'
      ? { grantId: input.grantId }
      : {}),
  });
  if (row.status === 'booked') {
    await notify(services, cancelled, 'appointment-cancelled', {
      by: session.address.toLowerCase(),
      reason: cancelled.cancelReason,
      grantId: cancelled.grantId,
      ...(input.rescheduledTo !== undefined ? { rescheduledTo: input.rescheduledTo } : {}),
    });
  }
  return describeAppointment(services, cancelled);
}

/** The caller's appointments as patient or as practitioner, starting in [from, to). */
export async function listAppointments(
  services: GatewayServices,
  session: Session,
  query: AppointmentQuery,
): Promise<AppointmentList> {
  const rows = await services.appointments.appointments({
    ...(query.view === 'patient' ? { patient: session.address } : { practitioner: session.address }),
    ...(query.from ? { from: Number(query.from) } : {}),
    ...(query.to ? { to: Number(query.to) } : {}),
  });
  return { appointments: await Promise.all(rows.map((row) => describeAppointment(services, row))) };
}

/** One appointment, to its patient and its practitioner only. */
export async function getAppointment(
  services: GatewayServices,
  session: Session,
  appointmentId: number,
): Promise<Appointment> {
  const row = await appointmentOf(services, appointmentId);
  await services.access.authoriseAppointment(session.address, row, 'appointment-read');
  return describeAppointment(services, row);
}

async function appointmentOf(services: GatewayServices, appointmentId: number): Promise<AppointmentRow> {
  const row = await services.appointments.appointment(appointmentId);
  if (!row) {
    throw new NotFoundError(`No appointment ${appointmentId} of yours.`, { reason: 'no_such_appointment' });
  }
  return row;
}

/** The record must be an indexed `administrative` record of the appointment's patient. */
async function requirePatientAppointmentRecord(
  services: GatewayServices,
  row: AppointmentRow,
  recordId: string,
): Promise<void> {
  await services.indexer.sync();
  const record = await services.store.record(recordId.toLowerCase() as Hex);
  if (
    !record ||
    !isAddressEqual(record.patient, row.patient) ||
    record.category !== categoryIndex('administrative')
  ) {
    throw new InvalidInputError(`Record ${recordId} is not an Appointment record of the patient.`, {
      reason: 'record_mismatch',
      fields: { recordId },
    });
  }
}

async function requireHosted(services: GatewayServices, organisationId: number): Promise<void> {
  const hosted = async () =>
    hostedOrganisations(await services.store.organisations(), services.custodian.publicKey).includes(
      organisationId,
    );
  if (await hosted()) return;
  await services.indexer.sync();
  if (await hosted()) return;
  throw new InvalidInputError(
    `Organisation ${organisationId} keeps its slots at its own gateway, not this one.`,
    { reason: 'organisation_not_hosted', fields: { organisationId } },
  );
}

/** Tells the patient and the practitioner; the data are ids, addresses and times, never health content. */
async function notify(
  services: GatewayServices,
  row: AppointmentRow,
  kind: 'appointment-booked' | 'appointment-cancelled',
  extra: Record<string, string | number | null>,
): Promise<void> {
  const data = {
    appointmentId: row.appointmentId,
    organisationId: row.organisationId,
    patient: row.patient,
    practitioner: row.practitioner,
    start: row.startsAt,
    end: row.endsAt,
    ...extra,
  };
  await services.notifier.add(
    [row.patient, row.practitioner].map((recipient) => ({
      recipient,
      kind,
      data,
      key: `${kind}:${row.appointmentId}:${recipient}`,
    })),
  );
}

function describeSlot(row: SlotRow): Slot {
  return {
    slotId: row.slotId,
    organisationId: row.organisationId,
    practitioner: row.practitioner,
    start: row.startsAt,
    end: row.endsAt,
    status: row.status,
  };
}

async function describeAppointment(services: GatewayServices, row: AppointmentRow): Promise<Appointment> {
  const grant = row.grantId !== null ? await services.store.grant(row.grantId) : undefined;
  const consent: Appointment['consent'] =
    row.grantId === null
      ? 'none'
      : grant?.revokedAtBlock != null
        ? 'revoked'
        : row.consentEnded
          ? 'ended'
          : (grant?.expiresAt ?? row.consentExpiresAt) <= Date.now() / 1000
            ? 'expired'
            : 'active';
  return {
    appointmentId: row.appointmentId,
    slotId: row.slotId,
    organisationId: row.organisationId,
    practitioner: row.practitioner,
    patient: row.patient,
    start: row.startsAt,
    end: row.endsAt,
    status: row.status,
    categories: categoriesOfMask(row.categories),
    consentExpiresAt: row.consentExpiresAt,
    holdUntil: Math.floor(row.holdUntil / 1000),
    grantId: row.grantId,
    recordId: row.recordId,
    consent,
    replaces: row.replaces,
    replacedBy: row.replacedBy,
    cancelledBy: row.cancelledBy,
    cancelReason: row.cancelReason,
    cancelRecordId: row.cancelRecordId,
  };
}

function isoOf(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}
