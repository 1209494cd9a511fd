import { generateIdentity, type Identity, identityFromKeys } from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * Fresh keys for the patient `client` acts for: a new signing key acting for its address and a new
 * encryption key (nothing is sent; `rotateKey` puts them in force).
 *
 * @example
 * const next = newPatientKeys(patient); // write it somewhere safe before rotating
 */
export function newPatientKeys(client: Transport): Identity {
  const fresh = generateIdentity();
  return identityFromKeys({
    signingKey: fresh.signingKey,
    encryptionSecretKey: fresh.encryption.secretKey,
    account: client.address,
  });
}
