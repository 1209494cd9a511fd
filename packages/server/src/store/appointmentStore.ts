/**
 * Clinicians' slots and the appointments booked in them, kept by the gateway of the clinicians'
 * organisation (availability is not health data; what an appointment is for is in the patient's
 * encrypted Appointment record, never here).
 *
 * A slot is `free`, `held` (taken by a booking under way, until `heldUntil`; a lapsed hold counts as
 * free) or `booked`. It is taken by one conditional UPDATE, so of two bookings of one slot exactly
 * one wins, also across gateway processes sharing one PostgreSQL store. An appointment is `pending`
 * (its slot held while the patient's client grants consent and writes the record), `booked` or
 * `cancelled`. Times are unix seconds; holds are unix milliseconds.
 */
import { ConflictError, NotFoundError } from '@medledger/core';
import type { Address, Hex } from 'viem';
import { isStorableId, type SqlDatabase, type SqlRow } from './sqlDatabase.ts';

export interface SlotRow {
  slotId: number;
  organisationId: number;
  practitioner: Address;
  startsAt: number;
  endsAt: number;
  /** `held` only while the hold runs: a lapsed hold reads as `free`. */
  status: 'free' | 'held' | 'booked';
  appointmentId: number | null;
}

export type AppointmentStatus = 'pending' | 'booked' | 'cancelled';

export interface AppointmentRow {
  appointmentId: number;
  slotId: number;
  organisationId: number;
  practitioner: Address;
  patient: Address;
  startsAt: number;
  endsAt: number;
  status: AppointmentStatus;
  /** The categories (bit mask) the patient chose to share for the visit. */
  categories: number;
  /** When the visit's grant must expire (unix seconds): the visit's end and the follow-up margin. */
  consentExpiresAt: number;
  /** Unix ms: a pending appointment's slot is held until then. */
  holdUntil: number;
  grantId: number | null;
  recordId: Hex | null;
  replaces: number | null;
  replacedBy: number | null;
  cancelledBy: Address | null;
  cancelReason: string | null;
  cancelRecordId: Hex | null;
  /** The gateway no longer honours `grantId` (the appointment was cancelled). */
  consentEnded: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface SlotQuery {
  organisationId?: number;
  practitioner?: Address;
  /** Unix seconds: slots starting at or after `from` and before `to`. */
  from: number;
  to: number;
  /** Only slots free now. */
  freeOnly: boolean;
  limit: number;
}

export interface AppointmentQuery {
  patient?: Address;
  practitioner?: Address;
  from?: number;
  to?: number;
}

export class SqlAppointmentStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /** Adds the slots not already published (same practitioner and start); resolves with those added. */
  async addSlots(
    slots: readonly { organisationId: number; practitioner: Address; startsAt: number; endsAt: number }[],
    publishedBy: Address,
  ): Promise<SlotRow[]> {
    const now = Date.now();
    return this.#db.transaction(async (tx) => {
      const added: SlotRow[] = [];
      for (const slot of slots) {
        const row = await tx.get(
          `INSERT INTO slots (organisation_id, practitioner, starts_at, ends_at, status, published_by, published_at)
           VALUES ($organisation, $practitioner, $start, $end, 'free', $by, $at)
           ON CONFLICT (practitioner, starts_at) DO NOTHING RETURNING *`,
          {
            organisation: slot.organisationId,
            practitioner: slot.practitioner.toLowerCase(),
            start: slot.startsAt,
            end: slot.endsAt,
            by: publishedBy.toLowerCase(),
            at: now,
          },
        );
        if (row) added.push(toSlot(row, now));
      }
      return added;
    });
  }

  async slots(query: SlotQuery): Promise<SlotRow[]> {
    const now = Date.now();
    const rows = await this.#db.all(
      `SELECT * FROM slots WHERE starts_at >= $from AND starts_at < $to
         AND ($organisation = 0 OR organisation_id = $organisation)
         AND ($practitioner = '' OR practitioner = $practitioner)
         AND ($freeOnly = 0 OR status = 'free' OR (status = 'held' AND held_until < $now))
       ORDER BY starts_at, slot_id LIMIT $limit`,
      {
        from: query.from,
        to: query.to,
        organisation: query.organisationId ?? 0,
        practitioner: query.practitioner?.toLowerCase() ?? '',
        freeOnly: query.freeOnly ? 1 : 0,
        now,
        limit: query.limit,
      },
    );
    return rows.map((row) => toSlot(row, now));
  }

  async slot(slotId: number): Promise<SlotRow | undefined> {
    if (!isStorableId(slotId)) return undefined;
    const row = await this.#db.get('SELECT * FROM slots WHERE slot_id = $id', { id: slotId });
    return row ? toSlot(row, Date.now()) : undefined;
  }

  /**
   * Takes a free slot (or one whose hold lapsed) for a new pending appointment of `patient`, held
   * for `holdMs`: one conditional UPDATE, so concurrent takers of one slot have one winner. The
   * others get `ConflictError` (`slot_taken`), and their appointment row is rolled back with it.
   */
  async holdSlot(input: {
    slotId: number;
    patient: Address;
    categories: number;
    followUpSeconds: number;
    holdMs: number;
    replaces: number | null;
  }): Promise<AppointmentRow> {
    const now = Date.now();
    const slot = await this.slot(input.slotId);
    if (!slot) throw new NotFoundError(`No slot ${input.slotId}.`, { reason: 'no_such_slot' });
    return this.#db.transaction(async (tx) => {
      const row = await tx.get(
        `INSERT INTO appointments (slot_id, organisation_id, practitioner, patient, starts_at, ends_at, status,
           categories, consent_expires_at, hold_until, replaces, created_at, updated_at)
         VALUES ($slot, $organisation, $practitioner, $patient, $start, $end, 'pending', $categories, $expires,
           $holdUntil, $replaces, $now, $now) RETURNING *`,
        {
          slot: slot.slotId,
          organisation: slot.organisationId,
          practitioner: slot.practitioner,
          patient: input.patient.toLowerCase(),
          start: slot.startsAt,
          end: slot.endsAt,
          categories: input.categories,
          expires: slot.endsAt + input.followUpSeconds,
          holdUntil: now + input.holdMs,
          replaces: input.replaces,
          now,
        },
      );
      if (!row) throw new Error('the appointment was not stored');
      const appointment = toAppointment(row);
      const taken = await tx.run(
        `UPDATE slots SET status = 'held', appointment_id = $appointment, held_until = $holdUntil
         WHERE slot_id = $slot AND (status = 'free' OR (status = 'held' AND held_until < $now))`,
        { appointment: appointment.appointmentId, holdUntil: appointment.holdUntil, slot: slot.slotId, now },
      );
      if (taken.changes !== 1) {
        throw new ConflictError(`Slot ${slot.slotId} is taken.`, {
          reason: 'slot_taken',
          fields: { slotId: slot.slotId },
        });
      }
      return appointment;
    });
  }

  /**
   * Books a pending appointment whose slot it still holds (a lapsed hold nobody took since counts):
   * the slot becomes booked, the appointment records its grant and record. Throws `ConflictError`
   * (`slot_taken`) when another booking took the slot after the hold lapsed, and
   * (`appointment_not_pending`) when the appointment is no longer pending.
   */
  async confirm(appointmentId: number, grantId: number, recordId: Hex): Promise<AppointmentRow> {
    const now = Date.now();
    return this.#db.transaction(async (tx) => {
      const updated = await tx.get(
        `UPDATE appointments SET status = 'booked', grant_id = $grant, record_id = $record, updated_at = $now
         WHERE appointment_id = $id AND status = 'pending' RETURNING *`,
        { id: appointmentId, grant: grantId, record: recordId.toLowerCase(), now },
      );
      if (!updated) {
        throw new ConflictError(`Appointment ${appointmentId} is not pending.`, {
          reason: 'appointment_not_pending',
          fields: { appointmentId },
        });
      }
      const appointment = toAppointment(updated);
      const booked = await tx.run(
        `UPDATE slots SET status = 'booked', held_until = NULL
         WHERE slot_id = $slot AND appointment_id = $id AND status = 'held'`,
        { slot: appointment.slotId, id: appointmentId },
      );
      if (booked.changes !== 1) {
        throw new ConflictError(`Slot ${appointment.slotId} was taken after the hold lapsed.`, {
          reason: 'slot_taken',
          fields: { slotId: appointment.slotId },
        });
      }
      if (appointment.replaces !== null) {
        await tx.run('UPDATE appointments SET replaced_by = $id WHERE appointment_id = $old', {
          id: appointmentId,
          old: appointment.replaces,
        });
      }
      return appointment;
    });
  }

  /**
   * Cancels a pending or booked appointment: frees its slot (if it still holds it) and ends its
   * consent at this gateway, together. Throws `ConflictError` (`appointment_cancelled`) when it was
   * cancelled already.
   */
  async cancel(
    appointmentId: number,
    input: { by: Address; reason: string; recordId: Hex | null; grantId?: number },
  ): Promise<AppointmentRow> {
    const now = Date.now();
    return this.#db.transaction(async (tx) => {
      const updated = await tx.get(
        `UPDATE appointments SET status = 'cancelled', cancelled_by = $by, cancel_reason = $reason,
           cancel_record_id = $record, consent_ended = 1, grant_id = COALESCE(grant_id, $grant), updated_at = $now
         WHERE appointment_id = $id AND status IN ('pending', 'booked') RETURNING *`,
        {
          id: appointmentId,
          by: input.by.toLowerCase(),
          reason: input.reason,
          record: input.recordId?.toLowerCase() ?? null,
          grant: input.grantId ?? null,
          now,
        },
      );
      if (!updated) {
        throw new ConflictError(`Appointment ${appointmentId} is cancelled already.`, {
          reason: 'appointment_cancelled',
          fields: { appointmentId },
        });
      }
      const appointment = toAppointment(updated);
      await tx.run(
        `UPDATE slots SET status = 'free', appointment_id = NULL, held_until = NULL
         WHERE slot_id = $slot AND appointment_id = $id`,
        { slot: appointment.slotId, id: appointmentId },
      );
      return appointment;
    });
  }

  async appointment(appointmentId: number): Promise<AppointmentRow | undefined> {
    if (!isStorableId(appointmentId)) return undefined;
    const row = await this.#db.get('SELECT * FROM appointments WHERE appointment_id = $id', {
      id: appointmentId,
    });
    return row ? toAppointment(row) : undefined;
  }

  /** Appointments of a patient and/or a practitioner, by start time (pending ones whose hold lapsed left out). */
  async appointments(query: AppointmentQuery): Promise<AppointmentRow[]> {
    const rows = await this.#db.all(
      `SELECT * FROM appointments
       WHERE ($patient = '' OR patient = $patient) AND ($practitioner = '' OR practitioner = $practitioner)
         AND starts_at >= $from AND starts_at < $to
         AND (status <> 'pending' OR hold_until >= $now)
       ORDER BY starts_at, appointment_id LIMIT 1000`,
      {
        patient: query.patient?.toLowerCase() ?? '',
        practitioner: query.practitioner?.toLowerCase() ?? '',
        from: query.from ?? 0,
        to: query.to ?? Number.MAX_SAFE_INTEGER,
        now: Date.now(),
      },
    );
    return rows.map(toAppointment);
  }

  /** Whether the gateway stopped honouring grant `grantId` because its appointment was cancelled. */
  async isGrantEnded(grantId: number): Promise<boolean> {
    if (!isStorableId(grantId)) return false;
    const row = await this.#db.get(
      'SELECT 1 AS ended FROM appointments WHERE grant_id = $grant AND consent_ended = 1 LIMIT 1',
      { grant: grantId },
    );
    return row !== undefined;
  }
}

function toSlot(row: SqlRow, now: number): SlotRow {
  const status = String(row.status) as SlotRow['status'];
  const lapsed = status === 'held' && Number(row.held_until) < now;
  return {
    slotId: Number(row.slot_id),
    organisationId: Number(row.organisation_id),
    practitioner: row.practitioner as Address,
    startsAt: Number(row.starts_at),
    endsAt: Number(row.ends_at),
    status: lapsed ? 'free' : status,
    appointmentId: lapsed || row.appointment_id === null ? null : Number(row.appointment_id),
  };
}

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

function toAppointment(row: SqlRow): AppointmentRow {
  return {
    appointmentId: Number(row.appointment_id),
    slotId: Number(row.slot_id),
    organisationId: Number(row.organisation_id),
    practitioner: row.practitioner as Address,
    patient: row.patient as Address,
    startsAt: Number(row.starts_at),
    endsAt: Number(row.ends_at),
    status: String(row.status) as AppointmentStatus,
    categories: Number(row.categories),
    consentExpiresAt: Number(row.consent_expires_at),
    holdUntil: Number(row.hold_until),
    grantId: numberOrNull(row.grant_id),
    recordId: (row.record_id as Hex | null) ?? null,
    replaces: numberOrNull(row.replaces),
    replacedBy: numberOrNull(row.replaced_by),
    cancelledBy: (row.cancelled_by as Address | null) ?? null,
    cancelReason: (row.cancel_reason as string | null) ?? null,
    cancelRecordId: (row.cancel_record_id as Hex | null) ?? null,
    consentEnded: Number(row.consent_ended) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
