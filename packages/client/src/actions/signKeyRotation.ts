import type { RotateKeyBody } from '@medledger/api';
import {
  accountOf,
  bytesToHex,
  consortiumTypes,
  type Identity,
  IntegrityError,
  ledgerDomain,
  randomBytes,
  signerAddressOf,
} from '@medledger/core';
import type { Transport } from '../transport.ts';

/**
 * The rotation of `client`'s patient to `next`, signed by the current key and by the new one, as
 * `POST /api/patients/:address/key-rotation` takes it. `rotateKey` signs and sends it.
 *
 * @example
 * const body = await signKeyRotation(patient, newPatientKeys(patient));
 */
export async function signKeyRotation(client: Transport, next: Identity): Promise<RotateKeyBody> {
  if (next.address.toLowerCase() !== client.address) {
    throw new IntegrityError('The new keys must act for the same patient.');
  }
  const info = await client.ledger();
  const message = {
    patient: client.address,
    newSigner: signerAddressOf(next),
    newEncryptionKey: next.encryption.publicKey,
    nonce: BigInt(bytesToHex(randomBytes(32))),
    deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
  };
  const typedData = {
    domain: ledgerDomain('consortium', info.chainId, info.contracts.consortium),
    types: consortiumTypes,
    primaryType: 'RotatePatientKey',
    message,
  } as const;
  const [signature, newSignerSignature] = await Promise.all([
    client.account.signTypedData(typedData),
    accountOf(next).signTypedData(typedData),
  ]);
  return {
    newSigner: message.newSigner,
    encryptionKey: message.newEncryptionKey,
    nonce: message.nonce.toString(),
    deadline: message.deadline.toString(),
    signature,
    newSignerSignature,
  };
}
