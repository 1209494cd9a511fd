/** Every builder (the web app's forms, the CLI's workflow commands) produces FHIR R4 that the record model accepts for its category. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BuiltResource,
  buildAppointment,
  buildClinicalNote,
  buildDiagnosis,
  buildDispense,
  buildLabOrder,
  buildLabResult,
  buildPatientProfile,
  buildPrescription,
  buildSchedule,
  builtCategory,
} from './buildResources.ts';
import { listResourceIssues } from './listResourceIssues.ts';
import { validateResource } from './validateResource.ts';

const patient = `0x${'ab'.repeat(20)}`;

const prescription = buildPrescription({
  patient,
  medicine: 'Metformin 500 mg',
  rxnormCode: '861007',
  doseValue: 1,
  doseUnit: 'tablet',
  timesPerPeriod: 2,
  period: 1,
  periodUnit: 'd',
  durationDays: 30,
  instructions: 'with meals',
  prescriber: 'Dr Rivera',
});
const order = buildLabOrder({
  patient,
  test: 'Hemoglobin A1c',
  loincCode: '4548-4',
  reason: 'diabetes follow-up',
  priority: 'routine',
  requester: 'Dr Rivera',
});

const built: BuiltResource[] = [
  buildClinicalNote({ patient, title: 'Consultation', text: 'Stable.', author: 'Dr Rivera' }),
  buildDiagnosis({
    patient,
    name: 'Type 2 diabetes mellitus',
    snomedCode: '44054006',
    clinicalStatus: 'active',
    onset: '2024-03-01',
  }),
  prescription,
  order,
  buildLabResult({
    patient,
    orderId: order.id,
    test: 'Hemoglobin A1c',
    loincCode: '4548-4',
    value: 7.1,
    unit: '%',
    low: 4,
    high: 5.6,
    performer: 'City Lab',
  }),
  buildDispense({
    patient,
    prescription,
    quantity: 60,
    unit: 'tablet',
    daysSupply: 30,
    pharmacist: 'Corner Pharmacy',
  }),
];

describe('FHIR built by the forms', () => {
  for (const resource of built) {
    it(`${resource.resourceType} is valid for category ${builtCategory[resource.resourceType as keyof typeof builtCategory]}`, () => {
      const category = builtCategory[resource.resourceType as keyof typeof builtCategory];
      assert.deepEqual(listResourceIssues(resource, category), []);
      assert.doesNotThrow(() => validateResource(resource, category));
      assert.match(resource.id, /^[0-9a-f-]{36}$/);
    });
  }

  it('links a result to its order and a dispense to its prescription', () => {
    const result = built[4] as BuiltResource & { basedOn: { reference: string }[] };
    assert.equal(result.basedOn[0]?.reference, `ServiceRequest/${order.id}`);
    const dispense = built[5] as BuiltResource & { authorizingPrescription: { reference: string }[] };
    assert.equal(dispense.authorizingPrescription[0]?.reference, `MedicationRequest/${prescription.id}`);
  });

  it('refers to the patient by ledger address, never by name', () => {
    for (const resource of built) {
      assert.deepEqual(resource.subject, {
        identifier: { system: 'urn:medledger:address', value: patient },
        type: 'Patient',
      });
    }
  });
});

describe('the patient profile', () => {
  const profile = buildPatientProfile({
    patient,
    given: 'Alex  Maria',
    family: 'Rivera',
    birthDate: '1984-02-29',
    gender: 'female',
    phone: '+44 20 7946 0000',
    email: 'alex@example.org',
  });

  it('is a Patient valid for category demographics, identified by the ledger address', () => {
    assert.equal(builtCategory.Patient, 'demographics');
    assert.deepEqual(listResourceIssues(profile, 'demographics'), []);
    assert.doesNotThrow(() => validateResource(profile, 'demographics'));
    assert.deepEqual(profile.identifier, [{ system: 'urn:medledger:address', value: patient }]);
    assert.deepEqual(profile.name, [
      { use: 'official', text: 'Alex Maria Rivera', family: 'Rivera', given: ['Alex', 'Maria'] },
    ]);
    assert.equal(profile.birthDate, '1984-02-29');
    assert.deepEqual(profile.telecom, [
      { system: 'phone', value: '+44 20 7946 0000', use: 'mobile' },
      { system: 'email', value: 'alex@example.org' },
    ]);
  });

  it('leaves out what the patient did not give, and is refused for another category', () => {
    const minimal = buildPatientProfile({ patient, family: 'Rivera' });
    assert.deepEqual(listResourceIssues(minimal, 'demographics'), []);
    assert.equal('telecom' in minimal || 'birthDate' in minimal || 'gender' in minimal, false);
    assert.throws(() => validateResource(minimal, 'lab'), { name: 'InvalidInputError' });
  });

  it('refuses a birth date that is not a FHIR date', () => {
    const wrong = buildPatientProfile({ patient, family: 'Rivera', birthDate: '29/02/1984' });
    assert.throws(() => validateResource(wrong, 'demographics'), { name: 'InvalidInputError' });
  });
});

describe('appointments as FHIR', () => {
  const practitioner = `0x${'cd'.repeat(20)}`;
  const booked = buildAppointment({
    patient,
    practitioner,
    organisationId: 1,
    appointmentId: 7,
    slotId: 42,
    start: '2026-12-03T09:00:00.000Z',
    end: '2026-12-03T09:20:00.000Z',
    status: 'booked',
    description: 'Follow-up',
  });
  const cancelled = buildAppointment({
    patient,
    practitioner,
    organisationId: 1,
    appointmentId: 7,
    slotId: 42,
    start: '2026-12-03T09:00:00.000Z',
    end: '2026-12-03T09:20:00.000Z',
    status: 'cancelled',
    cancelationReason: 'practitioner',
    id: booked.id,
  });

  it('builds a booked and a cancelled Appointment valid for category administrative', () => {
    for (const appointment of [booked, cancelled]) {
      assert.deepEqual(listResourceIssues(appointment, 'administrative'), []);
      assert.doesNotThrow(() => validateResource(appointment, 'administrative'));
    }
    assert.equal(booked.minutesDuration, 20);
    assert.equal(cancelled.id, booked.id, 'the cancellation is a version of the same appointment');
    assert.deepEqual(cancelled.cancelationReason, { text: 'practitioner' });
    assert.equal(booked.cancelationReason, undefined);
  });

  it('names patient and practitioner by ledger address and refuses another category', () => {
    const participants = booked.participant as { actor: { identifier: { value: string }; type: string } }[];
    assert.deepEqual(
      participants.map((p) => [p.actor.type, p.actor.identifier.value]),
      [
        ['Patient', patient],
        ['Practitioner', practitioner],
        ['Organization', '1'],
      ],
    );
    assert.throws(() => validateResource(booked, 'encounter'), { name: 'InvalidInputError' });
  });

  it('builds a Schedule and its Slots, valid and naming no patient', () => {
    const { schedule, slots } = buildSchedule({
      practitioner,
      organisationId: 1,
      slots: [
        { slotId: 1, start: '2026-12-03T09:00:00.000Z', end: '2026-12-03T09:20:00.000Z', free: true },
        { slotId: 2, start: '2026-12-03T09:20:00.000Z', end: '2026-12-03T09:40:00.000Z', free: false },
      ],
    });
    for (const resource of [schedule, ...slots]) {
      assert.deepEqual(listResourceIssues(resource, 'administrative'), []);
    }
    assert.deepEqual(
      slots.map((slot) => [slot.status, (slot.schedule as { reference: string }).reference]),
      [
        ['free', `Schedule/${schedule.id}`],
        ['busy', `Schedule/${schedule.id}`],
      ],
    );
    assert.doesNotMatch(JSON.stringify(slots), new RegExp(patient.slice(2)));
  });
});
