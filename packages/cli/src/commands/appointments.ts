import { categories } from '@medledger/core/vocabulary';
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/appointments.ts');

export function registerAppointments(program: Command): void {
  const appointment = program
    .command('appointment')
    .description(
      'Appointments: clinicians’ free slots and patients’ bookings, at the gateway of the clinicians’ organisation (--server)',
    );

  actingCommand(
    appointment
      .command('slots')
      .description(
        'List slots (free ones by default) by organisation, practitioner and time (the next 14 days)',
      )
      .option('--org <id>', 'the organisation')
      .option('--practitioner <address>', 'the doctor or nurse')
      .option('--from <time>', 'from this date or time (ISO 8601, e.g. 2026-12-04 or 2026-12-04T09:00)')
      .option('--to <time>', 'until this date or time (ISO 8601)')
      .option('--all', 'held and booked slots too')
      .option('--fhir', 'print a FHIR R4 Bundle of Schedule and Slot resources'),
  ).action(lazyAction(load, 'listSlots'));

  actingCommand(
    appointment
      .command('publish')
      .description(
        'As a doctor or nurse publish your free slots, or as an admin those of a member of your organisation',
      )
      .requiredOption('--from <time>', 'first slot’s start (ISO 8601, e.g. 2026-12-04T09:00)')
      .requiredOption('--to <time>', 'end of the last slot (ISO 8601)')
      .requiredOption('--minutes <n>', 'length of each slot, 5 to 480')
      .option('--practitioner <address>', 'the member (admins); yourself by default'),
  ).action(lazyAction(load, 'publishSlots'));

  actingCommand(
    appointment
      .command('book')
      .description(
        'As a patient book a slot: grants the clinician read and append on the categories (and administrative) ' +
          'until the visit’s end plus the follow-up margin, and writes your encrypted Appointment record',
      )
      .argument('<slotId>')
      .option(
        '--categories <list>',
        `comma-separated, what the clinician may see and add: ${categories.join(', ')}`,
      )
      .option('--follow-up <hours>', 'how long the consent lasts after the visit, in hours (0 to 720)', '24')
      .option('--description <text>', 'what the visit is for (kept in the encrypted record)')
      .option('--otp <code>', 'the current one-time code, if you turned it on (medledger otp enable)'),
  ).action(lazyAction(load, 'bookAppointment'));

  actingCommand(
    appointment
      .command('cancel')
      .description(
        'As its patient or clinician cancel an appointment: the slot is freed and the visit’s consent ends ' +
          '(revoked on chain when the patient cancels, refused by the gateway at once when the clinician does)',
      )
      .argument('<appointmentId>'),
  ).action(lazyAction(load, 'cancelAppointment'));

  actingCommand(
    appointment
      .command('reschedule')
      .description(
        'As the patient move an appointment to another slot: books the new one, then cancels the old',
      )
      .argument('<appointmentId>')
      .requiredOption('--slot <slotId>', 'the new slot')
      .option('--otp <code>', 'the current one-time code, if you turned it on'),
  ).action(lazyAction(load, 'rescheduleAppointment'));

  actingCommand(
    appointment
      .command('list')
      .description(
        'Your appointments: as a patient (and revoke the consents of appointments a clinician cancelled), ' +
          'or as a clinician one day’s list with each Appointment record read under the patient’s consent',
      )
      .option('--as-clinician', 'the appointments where you are the practitioner')
      .option('--day <date>', 'the day (YYYY-MM-DD, local time); today by default for --as-clinician'),
  ).action(lazyAction(load, 'listAppointments'));
}
