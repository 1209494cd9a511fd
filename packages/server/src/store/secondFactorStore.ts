/** TOTP second factors (patients' for approvals, members' for sign-in), their failed attempts, and organisations' policies. */
import type { Address } from 'viem';

/** An account's TOTP second factor: the secret encrypted with the gateway's key (never in clear at rest). */
export interface SecondFactorRow {
  address: Address;
  /** AES-256-GCM nonce and ciphertext of the TOTP secret; the address is the associated data. */
  secretIv: Uint8Array;
  secretCiphertext: Uint8Array;
  /** False until the account confirms the enrolment with a first valid code. */
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
  /** The policy an organisation's admin set for its members' codes at sign-in, if one did. */
  staffSecondFactorPolicy(organisationId: number): Promise<StaffSecondFactorPolicyRow | undefined>;
  saveStaffSecondFactorPolicy(row: StaffSecondFactorPolicyRow): Promise<void>;
}

/** An organisation's policy for its members' codes at sign-in, as its admin set it. */
export interface StaffSecondFactorPolicyRow {
  organisationId: number;
  policy: 'optional' | 'privileged' | 'all';
  setBy: Address;
  /** Unix milliseconds. */
  setAt: number;
}
