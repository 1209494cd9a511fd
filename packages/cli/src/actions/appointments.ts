import {
  type Appointment,
  bookAppointment as book,
  cancelAppointment as cancel,
  dayList,
  listAppointments as list,
  publishSlots as publish,
  rescheduleAppointment as reschedule,
  revokeEndedAppointmentConsents,
  listSlots as slots,
  slotsAsFhir,
} from '@medledger/client';
import { type Category, categories, InvalidInputError, isCategory } from '@medledger/core';
import type { Command } from 'commander';
import { clientFor, globalOptions, parseAddress, parseInteger, parseList } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';
import { parseOneTimeCode } from './secondFactor.ts';

function parseTime(value: string, what: string): Date {
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime())) {
    throw new InvalidInputError(`Invalid ${what} "${value}": expected an ISO 8601 date or time.`);
  }
  return time;
}

/** A local day, YYYY-MM-DD. */
function parseDay(value: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) throw new InvalidInputError(`Invalid day "${value}": expected YYYY-MM-DD.`);
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

const when = (start: number, end: number) =>
  `${new Date(start * 1000).toISOString().slice(0, 16).replace('T', ' ')}–${new Date(end * 1000).toISOString().slice(11, 16)} UTC`;

export const listSlots: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  const query = {
    ...(options.org ? { organisationId: parseInteger(options.org, '--org') } : {}),
    ...(options.practitioner ? { practitioner: parseAddress(options.practitioner, '--practitioner') } : {}),
    ...(options.from ? { from: parseTime(options.from, '--from') } : {}),
    ...(options.to ? { to: parseTime(options.to, '--to') } : {}),
    ...(options.all ? { status: 'all' as const } : {}),
  };
  if (options.fhir) {
    print({ json: true }, await slotsAsFhir(client, query));
    return;
  }
  const result = await slots(client, query);
  print(
    globalOptions(command),
    result,
    () =>
      result
        .map(
          (s) =>
            `${s.slotId}\t${when(s.start, s.end)}\t${s.status}\t${s.practitioner}\torg ${s.organisationId}`,
        )
        .join('\n') || 'no slots',
  );
};

export const publishSlots: ActionHandler = async (options, command: Command) => {
  const result = await publish(await clientFor(command), {
    ...(options.practitioner ? { practitioner: parseAddress(options.practitioner, '--practitioner') } : {}),
    from: parseTime(options.from, '--from'),
    to: parseTime(options.to, '--to'),
    minutes: parseInteger(options.minutes, '--minutes'),
  });
  print(globalOptions(command), result, `${result.length} slot(s) published`);
};

function describe(appointment: Appointment): string {
  return `appointment ${appointment.appointmentId} ${appointment.status}: ${when(appointment.start, appointment.end)} with ${appointment.practitioner} (consent ${appointment.grantId ?? '-'} ${appointment.consent})`;
}

export const bookAppointment: ActionHandler = async (slotId: string, options, command: Command) => {
  const followUpHours = parseInteger(options.followUp, '--follow-up');
  const result = await book(await clientFor(command), {
    slotId: parseInteger(slotId, 'slot id'),
    categories: options.categories
      ? parseList<Category>(options.categories, 'category', isCategory, categories)
      : [],
    followUpHours,
    ...(options.description ? { description: options.description } : {}),
    ...(options.otp ? { otp: parseOneTimeCode(options.otp) } : {}),
  });
  print(globalOptions(command), result, describe(result));
};

export const cancelAppointment: ActionHandler = async (id: string, _options, command: Command) => {
  const result = await cancel(await clientFor(command), parseInteger(id, 'appointment id'));
  print(globalOptions(command), result, describe(result));
};

export const rescheduleAppointment: ActionHandler = async (id: string, options, command: Command) => {
  const result = await reschedule(await clientFor(command), parseInteger(id, 'appointment id'), {
    slotId: parseInteger(options.slot, '--slot'),
    ...(options.otp ? { otp: parseOneTimeCode(options.otp) } : {}),
  });
  print(globalOptions(command), result, `${describe(result.booked)}\n${describe(result.cancelled)}`);
};

export const listAppointments: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  if (options.asClinician) {
    const day = await dayList(client, options.day ? parseDay(options.day) : new Date());
    print(
      globalOptions(command),
      day,
      () =>
        day
          .map(
            (a) =>
              `${a.appointmentId}\t${when(a.start, a.end)}\t${a.status}\t${a.patient}\t${String(a.resource?.description ?? '')}`,
          )
          .join('\n') || 'no appointments that day',
    );
    return;
  }
  const revoked = await revokeEndedAppointmentConsents(client);
  const day = options.day ? parseDay(options.day) : undefined;
  const result = await list(client, {
    view: 'patient',
    ...(day ? { from: day, to: new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1) } : {}),
  });
  print(
    globalOptions(command),
    { appointments: result, revokedConsents: revoked },
    () =>
      [
        ...result.map(describe),
        ...revoked.map((grantId) => `consent ${grantId} of a cancelled appointment revoked`),
      ].join('\n') || 'no appointments',
  );
};
