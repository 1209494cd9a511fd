/**
 * The people of a benchmark, set up through the client as users set themselves up: doctors added
 * to a hospital by its admin, patients registered with it, and every patient's consent for every
 * doctor to read and append records of the categories used.
 */
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { type Category, generateIdentity, type Identity } from '@medledger/core';
import type { Address } from 'viem';

export const categoriesUsed: Category[] = ['lab', 'vitals', 'condition', 'medication'];

export interface Actors {
  doctors: Identity[];
  patients: Identity[];
  /** grants[patient][doctor]: the id of the patient's grant to the doctor (read and append). */
  grants: bigint[][];
}

export async function setUpActors(
  url: string,
  admin: GatewayClient,
  organisationId: number,
  count: number,
): Promise<Actors> {
  const doctors = Array.from({ length: count }, () => generateIdentity());
  const patients = Array.from({ length: count }, () => generateIdentity());
  for (const doctor of doctors) {
    await admin.addMember({
      organisationId,
      member: doctor.address,
      role: 'doctor',
      encryptionKey: doctor.encryption.publicKey,
    });
  }
  const grants: bigint[][] = [];
  for (const identity of patients) {
    const patient = createGatewayClient({ url, identity });
    await patient.registerPatient({ organisationId });
    const row: bigint[] = [];
    for (const doctor of doctors) {
      const { grantId } = await patient.grantConsent({
        grantee: doctor.address,
        categories: categoriesUsed,
        actions: ['read', 'append'],
        expiresInSeconds: 24 * 3600,
      });
      row.push(BigInt(grantId));
    }
    grants.push(row);
  }
  return { doctors, patients, grants };
}

/** The `index`-th operation's doctor, patient and category: every pair and category in turn. */
export function assignment(actors: { doctors: unknown[]; patients: { address: Address }[] }, index: number) {
  const doctor = index % actors.doctors.length;
  const patient = Math.floor(index / actors.doctors.length) % actors.patients.length;
  const category = categoriesUsed[index % categoriesUsed.length] as Category;
  return { doctor, patient, category };
}
