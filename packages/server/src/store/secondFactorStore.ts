/** Patients' TOTP second factors and their failed attempts. */
import type { Address } from 'viem';

/** A patient's TOTP second factor: the secret encrypted with the gateway's key (never in clear at rest). */
export interface SecondFactorRow {
  address: Address;
  /** AES-256-GCM nonce and ciphertext of the TOTP secret; the address is the associated data. */
  secretIv: Uint8Array;
  secretCiphertext: Uint8Array;
  /** False until the patient confirms the enrolment with a first valid code. */
  enabled: boolean;
  /** The last TOTP time step accepted (-1 for none): a code of that step or earlier is refused. */
  lastCounter: number;
}

export interface SecondFactorStore {
  secondFactor(address: Address): Promise<SecondFactorRow | undefined>;
  /** Creates or replaces the (pending or enabled) second factor of `row.address`. */
  saveSecondFactor(row: SecondFactorRow): Promise<void>;
  deleteSecondFactor(address: Address): Promise<void>;
  /** Records `counter` as used if it is later than the last one used; false (nothing changed) otherwise. */
  useSecondFactorCounter(address: Address, counter: number): Promise<boolean>;
  recordSecondFactorFailure(address: Address, at: number): Promise<void>;
  /** Times (ms) of the failed attempts of `address` since `since`, oldest first. */
  secondFactorFailures(address: Address, since: number): Promise<number[]>;
  clearSecondFactorFailures(address: Address): Promise<void>;
}
