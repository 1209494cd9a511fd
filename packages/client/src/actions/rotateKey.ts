/**
 * Key rotation: a patient moves to a new signing key and a new encryption key and keeps its id, its
 * records and its consents.
 *
 * - On chain (`Consortium.rotatePatientKey`), signed by the current key and by the new one
 *   (`signKeyRotation`): from then on the new key signs for the patient's address (grants,
 *   revocations, records, sign-in) and the old one is refused; grants already given stay in force;
 *   new records are sealed to the new encryption key.
 * - Records written before: their custodians re-seal the data key to the patient's current key
 *   when it reads them, like for any reader (`recordRoutes.ts`). A record without a custodian
 *   (a patient registered with no organisation, before k-of-n custody) is re-encrypted by
 *   `keepRecordsReadable` as a new version under the new key, decrypted with the old one.
 */

import type { KeyRotated } from '@medledger/api';
import type { Identity } from '@medledger/core';
import type { Transport } from '../transport.ts';
import { signKeyRotation } from './signKeyRotation.ts';

export type { KeyRotated };

/**
 * Rotates the patient's keys to `next` (from `newPatientKeys`): the current key and the new one
 * both sign the rotation. Resolves once it is in a block; `client` signs nothing more after it.
 *
 * @example
 * const next = newPatientKeys(patient);
 * await rotateKey(patient, next);
 */
export async function rotateKey(client: Transport, next: Identity): Promise<KeyRotated> {
  const body = await signKeyRotation(client, next);
  return client.call<KeyRotated>('POST', `/api/patients/${client.address}/key-rotation`, body);
}
