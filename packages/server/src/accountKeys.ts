/**
 * Accounts' keys as the chain has them: which key signs for an account (patients rotate theirs,
 * `Consortium.signerOf`) and the encryption key registered for a member or a patient. Read from
 * the chain every time: these answers decide who signs in and to whom keys are sealed.
 */
import { NotFoundError } from '@medledger/core';
import type { LedgerClient } from '@medledger/ledger';
import { type Address, type Hex, zeroAddress } from 'viem';
import type { AccountKeys } from './auth.ts';

export async function accountKeysOf(ledger: LedgerClient, account: Address): Promise<AccountKeys> {
  const [signer, patient] = await Promise.all([
    ledger.read('consortium', 'signerOf', [account]),
    ledger.read('consortium', 'patientOfSigner', [account]),
  ]);
  return { signer, patientOfSigner: patient === zeroAddress ? null : patient };
}

export interface RegisteredAccount {
  address: Address;
  kind: 'member' | 'patient';
  /** False for a suspended member, or a member of an organisation that is not active. */
  active: boolean;
  encryptionKey: Hex;
}

/** A member's or a patient's registered encryption key; `NotFoundError` (reason `not_registered`) for anyone else. */
export async function registeredAccount(ledger: LedgerClient, account: Address): Promise<RegisteredAccount> {
  const [member, patient, organisationId] = await Promise.all([
    ledger.read('consortium', 'member', [account]),
    ledger.read('consortium', 'patient', [account]),
    ledger.read('consortium', 'activeOrganisationOf', [account]),
  ]);
  const address = account.toLowerCase() as Address;
  if (member.organisationId) {
    return { address, kind: 'member', active: organisationId !== 0, encryptionKey: member.encryptionKey };
  }
  if (patient.registered)
    return { address, kind: 'patient', active: true, encryptionKey: patient.encryptionKey };
  throw new NotFoundError(`${account} is neither a member nor a patient.`, {
    reason: 'not_registered',
    fields: { address },
  });
}
