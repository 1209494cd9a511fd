/**
 * Appointments. The patient finds free slots of an organisation (kept by this gateway: a patient
 * books through the gateway of the clinicians' organisation), books one choosing what the clinician
 * may see for the visit, and cancels or reschedules. The clinician publishes free slots and sees a
 * day's list, each Appointment record read under the patient's consent, and cancels.
 */
import {
  type Appointment,
  bookAppointment,
  cancelAppointment,
  dayList,
  listAppointments,
  listSlots,
  publishSlots,
  rescheduleAppointment,
  revokeEndedAppointmentConsents,
  type Slot,
} from '@medledger/client';
import { type Category, categories } from '@medledger/core';
import { type FormEvent, useState } from 'react';
import {
  AddressText,
  Badge,
  Button,
  Card,
  Field,
  formatTime,
  Notice,
  Spinner,
  useAction,
  useLoad,
} from '../components/ui.tsx';
import { plainError } from '../errors.ts';
import { useSession } from '../session.tsx';
import { categoryLabels } from './Chart.tsx';

/** `YYYY-MM-DD` of a date, in local time (what a date input holds). */
function dayValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The local midnight starting a `YYYY-MM-DD` day, plus `hours:minutes` when given. */
function localTime(day: string, time = '00:00'): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return new Date(year, month - 1, date, hours, minutes);
}

const tomorrow = () => dayValue(new Date(Date.now() + 24 * 3600_000));

function timeRange(start: number, end: number): string {
  const endTime = new Date(end * 1000).toLocaleTimeString(undefined, { timeStyle: 'short' });
  return `${formatTime(start)} – ${endTime}`;
}

function statusTone(status: Appointment['status']): 'good' | 'bad' | 'warn' {
  return status === 'booked' ? 'good' : status === 'cancelled' ? 'bad' : 'warn';
}

/** What the patient may share for a visit (the appointment itself, `administrative`, always is). */
const shareable = categories.filter((category) => category !== 'administrative');

export function PatientAppointments() {
  const { client, organisations } = useSession();
  const hosts = organisations.filter((organisation) => organisation.status === 'active');
  const [organisationId, setOrganisationId] = useState<number>(hosts[0]?.organisationId ?? 0);
  const [day, setDay] = useState(tomorrow());
  const [chosen, setChosen] = useState<Category[]>(['condition', 'medication', 'allergy']);
  const [description, setDescription] = useState('');
  const [followUpHours, setFollowUpHours] = useState(24);
  const [rescheduling, setRescheduling] = useState<Appointment>();
  const [message, setMessage] = useState<string>();
  const mine = useLoad(async () => {
    // A clinician may have cancelled: its consent is ended here; revoke it on chain too.
    const revoked = await revokeEndedAppointmentConsents(client);
    return { appointments: await listAppointments(client, { view: 'patient' }), revoked };
  }, [client]);
  const slots = useLoad(
    () =>
      organisationId
        ? listSlots(client, { organisationId, from: localTime(day), to: localTime(day, '23:59') })
        : Promise.resolve([] as Slot[]),
    [client, organisationId, day],
  );
  const refresh = () => {
    mine.reload();
    slots.reload();
  };
  const book = useAction(async (slot: Slot) => {
    setMessage(undefined);
    if (rescheduling) {
      const { booked } = await rescheduleAppointment(client, rescheduling.appointmentId, {
        slotId: slot.slotId,
        followUpHours,
      });
      setRescheduling(undefined);
      setMessage(`Moved to ${timeRange(booked.start, booked.end)}. The old slot is free again.`);
    } else {
      const booked = await bookAppointment(client, {
        slotId: slot.slotId,
        categories: chosen,
        followUpHours,
        ...(description ? { description } : {}),
      });
      setMessage(
        `Booked for ${timeRange(booked.start, booked.end)}. The clinician may see what you chose until ${formatTime(booked.consentExpiresAt)}.`,
      );
    }
    refresh();
  });
  const cancel = useAction(async (appointment: Appointment) => {
    setMessage(undefined);
    await cancelAppointment(client, appointment.appointmentId);
    setMessage('Cancelled. The slot is free again and the clinician’s access for the visit is revoked.');
    refresh();
  });
  const toggle = (category: Category) =>
    setChosen((list) => (list.includes(category) ? list.filter((c) => c !== category) : [...list, category]));

  return (
    <div className="stack">
      <h1>Appointments</h1>
      {message && <Notice kind="success">{message}</Notice>}
      <Card
        title={
          rescheduling ? `Move the appointment of ${formatTime(rescheduling.start)}` : 'Find a free slot'
        }
      >
        <form
          className="form form-inline"
          aria-label="Find a free slot"
          onSubmit={(e: FormEvent) => e.preventDefault()}
        >
          <Field label="Organisation">
            {(id) => (
              <select
                id={id}
                value={organisationId}
                onChange={(e) => setOrganisationId(Number(e.target.value))}
              >
                {hosts.map((organisation) => (
                  <option key={organisation.organisationId} value={organisation.organisationId}>
                    {organisation.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Day">
            {(id) => <input id={id} type="date" value={day} onChange={(e) => setDay(e.target.value)} />}
          </Field>
        </form>
        {!rescheduling && (
          <div className="form">
            <fieldset className="checks">
              <legend>What the clinician may see and add for this visit</legend>
              {shareable.map((category) => (
                <label key={category} className="check">
                  <input
                    type="checkbox"
                    checked={chosen.includes(category)}
                    onChange={() => toggle(category)}
                  />{' '}
                  {categoryLabels[category]}
                </label>
              ))}
            </fieldset>
            <Field label="Reason for the visit (encrypted, optional)">
              {(id) => <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} />}
            </Field>
            <Field
              label="Access after the visit (hours)"
              hint="The consent ends this long after the visit, for results and notes; cancelling ends it at once."
            >
              {(id) => (
                <input
                  id={id}
                  type="number"
                  min={0}
                  max={720}
                  value={followUpHours}
                  onChange={(e) => setFollowUpHours(Number(e.target.value))}
                />
              )}
            </Field>
          </div>
        )}
        {rescheduling && (
          <Button kind="ghost" onClick={() => setRescheduling(undefined)}>
            Keep the current time
          </Button>
        )}
        {slots.loading && !slots.data && <Spinner label="Loading free slots…" />}
        {slots.error ? <Notice kind="error">{plainError(slots.error)}</Notice> : null}
        {slots.data && slots.data.length === 0 && <p className="empty">No free slots that day.</p>}
        {slots.data && slots.data.length > 0 && (
          <table className="data-table responsive" aria-label="Free slots">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Clinician</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {slots.data.map((slot) => (
                <tr key={slot.slotId}>
                  <td data-label="Time">{timeRange(slot.start, slot.end)}</td>
                  <td data-label="Clinician">
                    <AddressText address={slot.practitioner} />
                  </td>
                  <td>
                    <Button
                      onClick={() => void book.run(slot)}
                      busy={book.busy}
                      busyLabel="Booking…"
                      label={`${rescheduling ? 'Move to' : 'Book'} ${timeRange(slot.start, slot.end)}`}
                    >
                      {rescheduling ? 'Move here' : 'Book'}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {book.error && <Notice kind="error">{book.error}</Notice>}
      </Card>
      <Card title="My appointments">
        {mine.loading && !mine.data && <Spinner label="Loading your appointments…" />}
        {mine.error ? <Notice kind="error">{plainError(mine.error)}</Notice> : null}
        {mine.data && mine.data.revoked.length > 0 && (
          <Notice kind="info">
            A clinician cancelled; the visit’s consent ({mine.data.revoked.join(', ')}) is now revoked on the
            ledger.
          </Notice>
        )}
        {mine.data && mine.data.appointments.length === 0 && <p className="empty">No appointments yet.</p>}
        {mine.data && mine.data.appointments.length > 0 && (
          <table className="data-table responsive" aria-label="My appointments">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Clinician</th>
                <th scope="col">Status</th>
                <th scope="col">Shared</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {mine.data.appointments.map((appointment) => (
                <tr key={appointment.appointmentId}>
                  <td data-label="Time">{timeRange(appointment.start, appointment.end)}</td>
                  <td data-label="Clinician">
                    <AddressText address={appointment.practitioner} />
                  </td>
                  <td data-label="Status">
                    <Badge tone={statusTone(appointment.status)}>{appointment.status}</Badge>
                  </td>
                  <td data-label="Shared">
                    {appointment.categories.map((c) => categoryLabels[c as Category] ?? c).join(', ')}{' '}
                    (consent {appointment.consent})
                  </td>
                  <td>
                    {appointment.status === 'booked' && (
                      <>
                        <Button
                          kind="secondary"
                          onClick={() => setRescheduling(appointment)}
                          label={`Reschedule ${timeRange(appointment.start, appointment.end)}`}
                        >
                          Reschedule
                        </Button>{' '}
                        <Button
                          kind="danger"
                          onClick={() => void cancel.run(appointment)}
                          busy={cancel.busy}
                          busyLabel="Cancelling…"
                          label={`Cancel ${timeRange(appointment.start, appointment.end)}`}
                        >
                          Cancel
                        </Button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {cancel.error && <Notice kind="error">{cancel.error}</Notice>}
      </Card>
    </div>
  );
}

export function ClinicianAppointments() {
  const { client } = useSession();
  const [day, setDay] = useState(tomorrow());
  const [from, setFrom] = useState('09:00');
  const [to, setTo] = useState('12:00');
  const [minutes, setMinutes] = useState(20);
  const [message, setMessage] = useState<string>();
  const list = useLoad(() => dayList(client, localTime(day)), [client, day]);
  const publish = useAction(async () => {
    setMessage(undefined);
    const added = await publishSlots(client, {
      from: localTime(day, from),
      to: localTime(day, to),
      minutes,
    });
    setMessage(`${added.length} free slot(s) published for ${day}.`);
  });
  const cancel = useAction(async (appointment: Appointment) => {
    setMessage(undefined);
    await cancelAppointment(client, appointment.appointmentId);
    setMessage('Cancelled. The patient is told, and your access for the visit has ended.');
    list.reload();
  });
  return (
    <div className="stack">
      <h1>Appointments</h1>
      {message && <Notice kind="success">{message}</Notice>}
      <Card title="Publish free slots">
        <form
          className="form form-inline"
          aria-label="Publish free slots"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void publish.run();
          }}
        >
          <Field label="Day">
            {(id) => <input id={id} type="date" value={day} onChange={(e) => setDay(e.target.value)} />}
          </Field>
          <Field label="From">
            {(id) => <input id={id} type="time" value={from} onChange={(e) => setFrom(e.target.value)} />}
          </Field>
          <Field label="To">
            {(id) => <input id={id} type="time" value={to} onChange={(e) => setTo(e.target.value)} />}
          </Field>
          <Field label="Minutes per slot">
            {(id) => (
              <input
                id={id}
                type="number"
                min={5}
                max={480}
                value={minutes}
                onChange={(e) => setMinutes(Number(e.target.value))}
              />
            )}
          </Field>
          <Button type="submit" busy={publish.busy} busyLabel="Publishing…">
            Publish slots
          </Button>
        </form>
        {publish.error && <Notice kind="error">{publish.error}</Notice>}
      </Card>
      <Card
        title={`Appointments of ${localTime(day).toLocaleDateString(undefined, { dateStyle: 'full' })}`}
        actions={
          <Button kind="ghost" onClick={list.reload}>
            Refresh
          </Button>
        }
      >
        {list.loading && !list.data && <Spinner label="Loading the day…" />}
        {list.error ? <Notice kind="error">{plainError(list.error)}</Notice> : null}
        {list.data && list.data.length === 0 && <p className="empty">No appointments that day.</p>}
        {list.data && list.data.length > 0 && (
          <table className="data-table responsive" aria-label="Day list">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Patient</th>
                <th scope="col">Reason</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((appointment) => (
                <tr key={appointment.appointmentId}>
                  <td data-label="Time">{timeRange(appointment.start, appointment.end)}</td>
                  <td data-label="Patient">
                    <AddressText address={appointment.patient} />
                  </td>
                  <td data-label="Reason">{String(appointment.resource?.description ?? '—')}</td>
                  <td data-label="Status">
                    <Badge tone={statusTone(appointment.status)}>{appointment.status}</Badge>
                  </td>
                  <td>
                    {appointment.status === 'booked' && (
                      <Button
                        kind="danger"
                        onClick={() => void cancel.run(appointment)}
                        busy={cancel.busy}
                        busyLabel="Cancelling…"
                        label={`Cancel the appointment of ${timeRange(appointment.start, appointment.end)}`}
                      >
                        Cancel
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {cancel.error && <Notice kind="error">{cancel.error}</Notice>}
      </Card>
    </div>
  );
}
