/**
 * A patient's key rotation, relayed like every signed action, and the registered encryption key of
 * any member or patient (what a client seals to, e.g. a guardian's share of a key backup).
 */
import type { KeyRotated, RegisteredAccount, RotateKeyBody } from '@medledger/api';
import type { Address, Hex } from 'viem';
import { registeredAccount } from '../accountKeys.ts';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { transactionOf } from './sentTransactions.ts';
import { requireSigner, signedArgs } from './signedActions.ts';

/**
 * Relays a patient's key rotation, signed by its current key and by the new one. The patient keeps
 * its address; from the next block the new key signs for it, and the old key's sessions end as the
 * rotation is indexed (here at once, at other gateways as they index it).
 */
export async function rotatePatientKey(
  services: GatewayServices,
  session: Session,
  input: RotateKeyBody & { patient: Address },
): Promise<KeyRotated> {
  const patient = requireSigner(session, input.patient, 'key rotation');
  const sent = await services.ledger.write('consortium', 'rotatePatientKey', [
    patient,
    input.newSigner,
    input.encryptionKey,
    ...signedArgs(input),
    input.newSignerSignature,
  ]);
  await services.indexer.sync();
  return {
    patient: patient.toLowerCase() as Address,
    signer: input.newSigner.toLowerCase() as Address,
    encryptionKey: input.encryptionKey.toLowerCase() as Hex,
    ...transactionOf(sent),
  };
}

/**
 * The encryption key a member or a patient registered, as the chain has it now; `NotFoundError`
 * (reason `not_registered`) for anyone else.
 */
export async function registeredEncryptionKey(
  services: GatewayServices,
  account: Address,
): Promise<RegisteredAccount> {
  return registeredAccount(services.ledger, account);
}
