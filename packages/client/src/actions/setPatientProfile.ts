import type { RecordAdded } from '@medledger/api';
import { buildPatientProfile, type PatientProfileInput } from '@medledger/core';
import type { Transport } from '../transport.ts';
import { addRecord } from './addRecord.ts';
import { currentProfileRecord } from './patientProfileOf.ts';

export type SetPatientProfileInput = Omit<PatientProfileInput, 'patient'>;

/**
 * As a patient, records one's own demographics (name, birth date, gender, phone, email) as an
 * encrypted FHIR Patient of category demographics; a new version supersedes the current profile,
 * so the profile is one chain of versions. Whoever holds a grant covering demographics reads it.
 *
 * @example
 * await setPatientProfile(patient, { given: 'Alex', family: 'Rivera', birthDate: '1984-02-29' });
 */
export async function setPatientProfile(
  client: Transport,
  input: SetPatientProfileInput,
): Promise<RecordAdded & { supersedes: RecordAdded['recordId'] | null }> {
  const patient = client.address;
  const current = await currentProfileRecord(client, patient);
  const resource = buildPatientProfile({ ...input, patient });
  const added = await addRecord(client, {
    patient,
    category: 'demographics',
    resource,
    ...(current ? { supersedes: current.record.recordId } : {}),
  });
  return { ...added, supersedes: current?.record.recordId ?? null };
}
