/** Every builder (the web app's forms, the CLI's workflow commands) produces FHIR R4 that the record model accepts for its category. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../errors.ts';
import {
  type BuiltResource,
  buildAppointment,
  buildClaim,
  buildClaimResponse,
  buildClinicalNote,
  buildCoverage,
  buildDiagnosis,
  buildDiagnosticReport,
  buildDispense,
  buildLabOrder,
  buildLabResult,
  buildPatientProfile,
  buildPrescription,
  buildPrescriptionOrder,
  buildSchedule,
  builtCategory,
  claimDecisionOf,
} from './buildResources.ts';
import { categoryOfResource } from './categoryOfResource.ts';
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

describe('FHIR built for the clinical workflows (lab report, coverage, claim, claim response)', () => {
  const orderId = 'ab'.repeat(32);
  const observation = buildLabResult({
    patient,
    orderId,
    test: 'Hemoglobin A1c',
    loincCode: '4548-4',
    value: 7.1,
    unit: '%',
    performer: 'City Lab',
  });
  const report = buildDiagnosticReport({
    patient,
    orderId,
    test: 'Hemoglobin A1c',
    loincCode: '4548-4',
    results: [observation],
    conclusion: 'Above target',
    performer: 'City Lab',
  });
  const coverage = buildCoverage({
    patient,
    insurer: 'Acme Health',
    insurerOrganisation: 4,
    subscriberId: 'M-1',
  });
  const claim = buildClaim({
    patient,
    provider: 'St Mary',
    providerOrganisation: 1,
    insurer: 'Acme Health',
    insurerOrganisation: 4,
    coverage: coverage.id,
    items: [
      { code: '99213', description: 'Consultation', amount: 80 },
      { code: '83036', system: 'http://www.ama-assn.org/go/cpt', description: 'HbA1c test', amount: 40.5 },
    ],
    currency: 'eur',
    encounter: 'cd'.repeat(32),
  });
  const claimWithoutCoverage = buildClaim({
    patient,
    provider: 'St Mary',
    insurer: 'Acme Health',
    insurerOrganisation: 4,
    items: [{ code: '99213', description: 'Consultation', amount: 80 }],
    currency: 'USD',
  });
  const responses = (['approved', 'partial', 'denied'] as const).map((decision) =>
    buildClaimResponse({
      patient,
      claim,
      claimId: orderId,
      insurer: 'Acme Health',
      insurerOrganisation: 4,
      decision,
      ...(decision === 'partial' ? { benefit: 100, reason: 'test not covered in full' } : {}),
      ...(decision === 'denied' ? { reason: 'no coverage on that date' } : {}),
    }),
  );
  const workflow: [string, BuiltResource, 'lab' | 'insurance'][] = [
    ['DiagnosticReport', report, 'lab'],
    ['Coverage', coverage, 'insurance'],
    ['Claim with a Coverage reference', claim, 'insurance'],
    ['Claim with the insurer as coverage identifier', claimWithoutCoverage, 'insurance'],
    ...responses.map(
      (response) =>
        [`ClaimResponse ${String(response.outcome)}`, response, 'insurance'] as [
          string,
          BuiltResource,
          'insurance',
        ],
    ),
  ];

  for (const [name, resource, category] of workflow) {
    it(`${name} is valid for category ${category}, the category it is guessed to be`, () => {
      assert.equal(builtCategory[resource.resourceType as keyof typeof builtCategory], category);
      assert.equal(categoryOfResource(resource), category);
      assert.deepEqual(listResourceIssues(resource, category), []);
      assert.doesNotThrow(() => validateResource(resource, category));
    });
  }

  it('a prescription order carries its quantity per fill, refills and pharmacy', () => {
    const ordered = buildPrescriptionOrder({
      patient,
      medicine: 'Amoxicillin 500 mg',
      doseValue: 1,
      doseUnit: 'capsule',
      timesPerPeriod: 3,
      period: 1,
      periodUnit: 'd',
      prescriber: 'Dr Rivera',
      quantity: 21,
      unit: 'capsule',
      refills: 1,
      pharmacy: { organisationId: 3, name: 'Corner Pharmacy' },
    });
    assert.deepEqual(listResourceIssues(ordered, 'medication'), []);
    assert.deepEqual(ordered.dispenseRequest, {
      numberOfRepeatsAllowed: 1,
      quantity: { value: 21, unit: 'capsule' },
      performer: {
        type: 'Organization',
        identifier: { system: 'urn:medledger:organisation', value: '3' },
        display: 'Corner Pharmacy',
      },
    });
  });

  it('a report is based on its order and refers to its observations', () => {
    assert.deepEqual(report.basedOn, [{ reference: `ServiceRequest/${orderId}` }]);
    assert.deepEqual(report.result, [{ reference: `Observation/${observation.id}` }]);
    assert.equal(report.status, 'final');
    assert.deepEqual((report.code as { coding: { code: string }[] }).coding[0]?.code, '4548-4');
  });

  it('a coverage names the insurer by ledger organisation id, the patient as subscriber and beneficiary', () => {
    assert.deepEqual(coverage.payor, [
      {
        type: 'Organization',
        identifier: { system: 'urn:medledger:organisation', value: '4' },
        display: 'Acme Health',
      },
    ]);
    assert.deepEqual(coverage.subscriber, coverage.beneficiary);
  });

  it('a claim totals its items in its currency and names its coverage', () => {
    assert.deepEqual(claim.total, { value: 120.5, currency: 'EUR' });
    assert.equal(claim.use, 'claim');
    const [insurance] = claim.insurance as { coverage: Record<string, unknown> }[];
    assert.deepEqual(insurance?.coverage, { reference: `Coverage/${coverage.id}` });
    const [other] = claimWithoutCoverage.insurance as { coverage: { identifier: unknown } }[];
    assert.deepEqual(other?.coverage.identifier, { system: 'urn:medledger:organisation', value: '4' });
  });

  it('a response adjudicates each item and totals what is paid; its decision reads back', () => {
    const [approved, partial, denied] = responses as [BuiltResource, BuiltResource, BuiltResource];
    assert.deepEqual(
      responses.map((response) => [response.outcome, claimDecisionOf(response)]),
      [
        ['complete', 'approved'],
        ['partial', 'partial'],
        ['error', 'denied'],
      ],
    );
    const amounts = (response: BuiltResource) =>
      (
        response.item as {
          adjudication: { category: { coding: { code: string }[] }; amount: { value: number } }[];
        }[]
      ).map((item) =>
        item.adjudication.map((a) => `${a.category.coding[0]?.code}=${a.amount.value}`).join(' '),
      );
    assert.deepEqual(amounts(approved), [
      'submitted=80 eligible=80 benefit=80',
      'submitted=40.5 eligible=40.5 benefit=40.5',
    ]);
    assert.deepEqual(amounts(partial), [
      'submitted=80 eligible=80 benefit=80',
      'submitted=40.5 eligible=20 benefit=20',
    ]);
    assert.deepEqual(amounts(denied), [
      'submitted=80 eligible=0 benefit=0',
      'submitted=40.5 eligible=0 benefit=0',
    ]);
    assert.deepEqual(partial.total, [
      {
        category: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'submitted' }],
        },
        amount: { value: 120.5, currency: 'EUR' },
      },
      {
        category: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'benefit' }],
        },
        amount: { value: 100, currency: 'EUR' },
      },
    ]);
    assert.equal(partial.disposition, 'Claim partly approved: test not covered in full');
    assert.deepEqual(approved.request, { reference: `Claim/${orderId}` });
    assert.equal(denied.payment, undefined);
    assert.equal(claimDecisionOf(claim), undefined);
  });

  it('refuses a benefit above the claim, below zero, or on a denial', () => {
    for (const [decision, benefit] of [
      ['partial', 121],
      ['approved', -1],
      ['denied', 10],
    ] as const) {
      assert.throws(
        () =>
          buildClaimResponse({ patient, claim, claimId: orderId, insurer: 'Acme Health', decision, benefit }),
        (error) => error instanceof InvalidInputError && error.reason === 'claim_benefit_out_of_range',
      );
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
