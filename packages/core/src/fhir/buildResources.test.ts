/** Every builder (the web app's forms, the CLI's workflow commands) produces FHIR R4 that the record model accepts for its category. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BuiltResource,
  buildClinicalNote,
  buildDiagnosis,
  buildDispense,
  buildLabOrder,
  buildLabResult,
  buildPatientProfile,
  buildPrescription,
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
