import type { RecordMetadata } from '@medledger/api';
import { AccessDeniedError, NotFoundError, type PatientGender, patientGenders } from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { Transport } from '../transport.ts';
import { listConsents } from './listConsents.ts';
import { listRecords } from './listRecords.ts';
import { readRecord } from './readRecord.ts';

/** A patient's profile, as the newest readable Patient record of category demographics says it. */
export interface PatientProfile {
  patient: Address;
  /** The record it was read from (a new version supersedes it). */
  recordId: Hex;
  /** Unix seconds, as the record was signed. */
  updatedAt: number;
  /** The name as it is written, e.g. "Alex Maria Rivera". */
  name: string;
  given: string[];
  family: string;
  birthDate?: string;
  gender?: PatientGender;
  phone?: string;
  email?: string;
  /** The FHIR Patient itself. */
  resource: Record<string, unknown>;
}

export type PatientProfileOfErrorType = AccessDeniedError | NotFoundError;

/**
 * The patient's current profile: the newest demographics record holding a FHIR Patient that is not
 * superseded, fetched, verified and decrypted (`readRecord`). A member whose grants from the
 * patient do not cover reading demographics gets `AccessDeniedError` with reason
 * `no_demographics_consent`; a patient without a profile, `NotFoundError` with reason
 * `no_patient_profile`.
 *
 * @example
 * const { name, birthDate } = await patientProfileOf(doctor, patient);
 */
export async function patientProfileOf(client: Transport, patient: Address): Promise<PatientProfile> {
  const found = await currentProfileRecord(client, patient);
  if (!found) {
    if (!isSelf(client, patient) && !(await coversDemographics(client, patient))) throw noConsent(patient);
    throw new NotFoundError(`Patient ${patient} has no profile.`, { reason: 'no_patient_profile' });
  }
  return profileOf(patient, found.record, found.resource);
}

function isSelf(client: Transport, patient: Address): boolean {
  return client.address.toLowerCase() === patient.toLowerCase();
}

function noConsent(patient: Address): AccessDeniedError {
  return new AccessDeniedError(
    `You may not read the profile of ${patient}: no consent of theirs covers reading demographics.`,
    { reason: 'no_demographics_consent' },
  );
}

/** Whether an active grant of `patient` to this identity (or its organisation) covers reading demographics. */
export async function coversDemographics(client: Transport, patient: Address): Promise<boolean> {
  const { received } = await listConsents(client);
  return received.some(
    (grant) =>
      grant.status === 'active' &&
      grant.patient.toLowerCase() === patient.toLowerCase() &&
      grant.categories.includes('demographics') &&
      grant.actions.includes('read'),
  );
}

/**
 * The newest demographics record of `patient` holding a Patient that is not superseded, decrypted;
 * undefined when there is none this identity may see.
 */
export async function currentProfileRecord(
  client: Transport,
  patient: Address,
): Promise<{ record: RecordMetadata; resource: Record<string, unknown> } | undefined> {
  let records: RecordMetadata[];
  try {
    ({ records } = await listRecords(client, patient));
  } catch (error) {
    // A patient with records none of which the member may see: no demographics grant either.
    if (error instanceof AccessDeniedError && !isSelf(client, patient)) throw noConsent(patient);
    throw error;
  }
  const candidates = records
    .filter((record) => record.category === 'demographics' && record.supersededBy === null)
    .sort((a, b) => b.blockNumber - a.blockNumber || b.createdAt - a.createdAt);
  for (const candidate of candidates) {
    const { record, resource } = await readRecord(client, candidate.recordId);
    const patientResource = resource as Record<string, unknown> | null;
    if (patientResource?.resourceType === 'Patient') return { record, resource: patientResource };
  }
  return undefined;
}

function profileOf(
  patient: Address,
  record: RecordMetadata,
  resource: Record<string, unknown>,
): PatientProfile {
  const names = Array.isArray(resource.name) ? (resource.name as Record<string, unknown>[]) : [];
  const name = names.find((entry) => entry.use === 'official') ?? names[0] ?? {};
  const given = Array.isArray(name.given) ? name.given.map(String) : [];
  const family = typeof name.family === 'string' ? name.family : '';
  const telecom = Array.isArray(resource.telecom) ? (resource.telecom as Record<string, unknown>[]) : [];
  const contact = (system: string) => {
    const value = telecom.find((entry) => entry.system === system)?.value;
    return typeof value === 'string' ? value : undefined;
  };
  const gender = patientGenders.find((code) => code === resource.gender);
  const phone = contact('phone');
  const email = contact('email');
  return {
    patient: patient.toLowerCase() as Address,
    recordId: record.recordId,
    updatedAt: record.createdAt,
    name: typeof name.text === 'string' ? name.text : [...given, family].filter(Boolean).join(' '),
    given,
    family,
    ...(typeof resource.birthDate === 'string' ? { birthDate: resource.birthDate } : {}),
    ...(gender ? { gender } : {}),
    ...(phone ? { phone } : {}),
    ...(email ? { email } : {}),
    resource,
  };
}
