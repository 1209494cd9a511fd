/** Key files, FHIR resources and consortium set-up through the CLI, shared by the CLI tests. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import type { Cli } from './processes.ts';

export interface Person {
  name: string;
  keyFile: string;
  address: Address;
  encryptionKey: Hex;
}

/** `medledger key new --out DIR/NAME.json`. */
export async function newPerson(cli: Cli, directory: string, name: string): Promise<Person> {
  const keyFile = join(directory, `${name}.json`);
  const key = await cli.json<{ address: Address; encryptionKey: Hex; file: string }>(
    'key',
    'new',
    '--out',
    keyFile,
  );
  return { name, keyFile, address: key.address, encryptionKey: key.encryptionKey };
}

/** `newPerson` for each name, at once; one person per name, in order. */
export function newPeople<const Names extends readonly string[]>(
  cli: Cli,
  directory: string,
  names: Names,
): Promise<{ [Index in keyof Names]: Person }> {
  return Promise.all(names.map((name) => newPerson(cli, directory, name))) as Promise<{
    [Index in keyof Names]: Person;
  }>;
}

/** A FHIR R4 laboratory Observation (serum glucose) about `patient`. */
export function labObservation(patient: Address, value: number) {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/observation-category',
            code: 'laboratory',
            display: 'Laboratory',
          },
        ],
      },
    ],
    code: {
      coding: [
        { system: 'http://loinc.org', code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' },
      ],
      text: 'Glucose',
    },
    subject: { reference: `Patient/${patient.toLowerCase()}` },
    effectiveDateTime: '2025-03-14T09:26:53+01:00',
    valueQuantity: { value, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
    referenceRange: [{ low: { value: 70, unit: 'mg/dL' }, high: { value: 99, unit: 'mg/dL' } }],
    note: [{ text: 'Fasting sample; é, ü and 漢字 survive the round trip.' }],
  };
}

/** A FHIR R4 Condition: valid as a `condition` record, not as a `lab` one. */
export function diabetesCondition(patient: Address) {
  return {
    resourceType: 'Condition',
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    code: {
      coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes mellitus type 2' }],
    },
    subject: { reference: `Patient/${patient.toLowerCase()}` },
  };
}

export async function writeJsonFile(directory: string, name: string, value: unknown): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

/**
 * Through the CLI: `admin` creates a hospital, registers `doctors` as its doctors, and `patients`
 * register with it (all at once, as people would). Returns the organisation id.
 */
export async function setUpHospital(
  cli: Cli,
  people: { admin: Person; doctors: Person[]; patients: Person[] },
): Promise<number> {
  const org = await cli.json<{ organisationId: number; status: string }>(
    'org',
    'create',
    '--as',
    people.admin.keyFile,
    '--name',
    'St. Elsewhere Hospital',
    '--kind',
    'hospital',
  );
  if (org.status !== 'active') throw new Error(`the founding organisation is ${org.status}`);
  const organisation = String(org.organisationId);
  await Promise.all([
    ...people.doctors.map((doctor) =>
      cli.json(
        'member',
        'add',
        '--as',
        people.admin.keyFile,
        '--org',
        organisation,
        '--role',
        'doctor',
        '--address',
        doctor.address,
        '--encryption-key',
        doctor.encryptionKey,
      ),
    ),
    ...people.patients.map((patient) =>
      cli.json('patient', 'register', '--as', patient.keyFile, '--org', organisation),
    ),
  ]);
  return org.organisationId;
}
