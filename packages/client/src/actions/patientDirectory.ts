/**
 * Finding a patient without typing an address: desk codes, the identifiers an organisation keeps
 * (MRNs), and a search by name among the patients who share their demographics with this identity,
 * done here so that names never reach the gateway in clear.
 */
import type { DeskCodeIssued, DeskCodeRedeemed, IdentifierList, PatientIdentifier } from '@medledger/api';
import { deskCodeAlphabet, deskCodeLength } from '@medledger/api';
import { InvalidInputError, MedledgerError } from '@medledger/core';
import type { Address } from 'viem';
import type { Transport } from '../transport.ts';
import { listConsents } from './listConsents.ts';
import { type PatientProfile, patientProfileOf } from './patientProfileOf.ts';

/**
 * As a patient, a new one-time desk code to show at a desk (live 10 minutes, one at a time).
 *
 * @example
 * const { code, expiresAt } = await issueDeskCode(patient); // code: 'K7QM4XRT'
 */
export function issueDeskCode(client: Transport): Promise<DeskCodeIssued> {
  return client.call<DeskCodeIssued>('POST', '/api/patient-directory/desk-codes', {});
}

/**
 * A desk code as a person typed it: case, spaces and hyphens do not matter. Throws
 * `InvalidInputError` (reason `malformed_desk_code`) for anything else.
 */
export function normalizeDeskCode(text: string): string {
  const code = text.toUpperCase().replace(/[\s-]/g, '');
  const valid = code.length === deskCodeLength && [...code].every((char) => deskCodeAlphabet.includes(char));
  if (!valid) {
    throw new InvalidInputError(
      `A desk code is ${deskCodeLength} characters of ${deskCodeAlphabet} (e.g. K7QM-4XRT).`,
      { reason: 'malformed_desk_code' },
    );
  }
  return code;
}

/** A desk code as shown to people: XXXX-XXXX. */
export function formatDeskCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * As a member of an organisation the gateway serves, the patient whose desk code this is (once).
 *
 * @example
 * const { patient } = await redeemDeskCode(clerk, 'K7QM-4XRT');
 */
export function redeemDeskCode(client: Transport, code: string): Promise<DeskCodeRedeemed> {
  return client.call<DeskCodeRedeemed>('POST', '/api/patient-directory/desk-codes/redemption', {
    code: normalizeDeskCode(code),
  });
}

/**
 * As a member, keeps an identifier (an MRN) of one's organisation for a patient.
 *
 * @example
 * await assignPatientIdentifier(clerk, { patient, system: 'urn:st-mary:mrn', value: 'MRN-0042' });
 */
export function assignPatientIdentifier(
  client: Transport,
  input: { patient: Address; system: string; value: string },
): Promise<PatientIdentifier> {
  return client.call<PatientIdentifier>('POST', '/api/patient-directory/identifiers', {
    patient: input.patient.toLowerCase(),
    system: input.system,
    value: input.value,
  });
}

/**
 * As a member, the patient one's organisation keeps under an identifier.
 *
 * @example
 * const { patient } = await findPatientByIdentifier(clerk, { system: 'urn:st-mary:mrn', value: 'MRN-0042' });
 */
export function findPatientByIdentifier(
  client: Transport,
  input: { system: string; value: string },
): Promise<PatientIdentifier> {
  return client.call<PatientIdentifier>('POST', '/api/patient-directory/identifier-lookups', input);
}

/**
 * A patient's identifiers: all of them for the patient itself, one's organisation's for a member.
 *
 * @example
 * const { identifiers } = await listPatientIdentifiers(patient, patient.address);
 */
export function listPatientIdentifiers(client: Transport, patient: Address): Promise<IdentifierList> {
  return client.call<IdentifierList>(
    'GET',
    `/api/patient-directory/identifiers?patient=${patient.toLowerCase()}`,
  );
}

export interface FindPatientsQuery {
  /** Words of the name, each matching the start of a name part, whatever the case and accents. */
  name?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
}

export interface FindPatientsResult {
  matches: PatientProfile[];
  /** Patients sharing demographics whose profile could not be read (none kept, or an error), by reason. */
  unreadable: { patient: Address; reason: string }[];
  /** How many patients were searched. */
  searched: number;
}

/** Lower case, without accents: how names are compared. */
function folded(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Whether a profile matches the query: every word starts a part of the name; the birth date equals. */
export function profileMatches(profile: PatientProfile, query: FindPatientsQuery): boolean {
  if (query.birthDate && profile.birthDate !== query.birthDate) return false;
  const words = folded(query.name ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
  const parts = folded([profile.name, ...profile.given, profile.family].join(' '))
    .split(/[\s,-]+/)
    .filter(Boolean);
  return words.every((word) => parts.some((part) => part.startsWith(word)));
}

/**
 * Searches, by name and birth date, the patients who granted this identity (or its organisation)
 * an active consent covering reading demographics: their profiles are read and matched here, so
 * the name searched for never goes to the gateway. Each profile read is audited under its patient.
 *
 * @example
 * const { matches } = await findPatients(doctor, { name: 'rivera', birthDate: '1984-02-29' });
 */
export async function findPatients(client: Transport, query: FindPatientsQuery): Promise<FindPatientsResult> {
  if (!query.name?.trim() && !query.birthDate) {
    throw new InvalidInputError('Search by a name, a birth date, or both.', { reason: 'empty_search' });
  }
  const { received } = await listConsents(client);
  const patients = [
    ...new Set(
      received
        .filter(
          (grant) =>
            grant.status === 'active' &&
            grant.categories.includes('demographics') &&
            grant.actions.includes('read'),
        )
        .map((grant) => grant.patient.toLowerCase() as Address),
    ),
  ];
  const matches: PatientProfile[] = [];
  const unreadable: FindPatientsResult['unreadable'] = [];
  const queue = [...patients];
  const worker = async () => {
    for (let patient = queue.shift(); patient; patient = queue.shift()) {
      try {
        const profile = await patientProfileOf(client, patient);
        if (profileMatches(profile, query)) matches.push(profile);
      } catch (error) {
        if (!(error instanceof MedledgerError)) throw error;
        unreadable.push({ patient, reason: error.reason ?? error.code });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, patients.length) }, worker));
  matches.sort((a, b) => a.name.localeCompare(b.name) || a.patient.localeCompare(b.patient));
  return { matches, unreadable, searched: patients.length };
}
