import type { PatientRegistered } from '@medledger/api';
import { consortiumTypes, InvalidInputError } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * Registers this identity as a patient, with the organisation that will be its custodian (by
 * default the first one this gateway hosts).
 *
 * @example
 * await registerPatient(patient, { organisationId });
 */
export async function registerPatient(
  client: Transport,
  input: { organisationId?: number } = {},
): Promise<PatientRegistered> {
  const info = await client.ledger();
  const organisationId = input.organisationId ?? info.custodian.organisationIds[0];
  if (organisationId === undefined) {
    throw new InvalidInputError(
      'This gateway hosts no organisation yet: pass the organisation to register with.',
    );
  }
  const message = {
    patient: client.account.address,
    encryptionKey: client.identity.encryption.publicKey,
    organisationId,
  };
  const signed = await client.signAction('consortium', consortiumTypes, 'RegisterPatient', message);
  return client.call<PatientRegistered>('POST', '/api/patients', { ...message, ...signed });
}
