/** Sign-in nonces and the sessions opened with them. */
import type { Address } from 'viem';

export interface SessionRow {
  tokenHash: string;
  /** The account signed in. */
  address: Address;
  /** The key that signed the sign-in message: the account's own, or the key a patient rotated to. */
  signer: Address;
  expiresAt: number;
}

export interface SessionStore {
  saveSignInNonce(nonce: string, expiresAt: number): Promise<void>;
  /**
   * Removes the nonce; true when it existed and had not expired. Also removes every nonce and
   * session expired by `now`, so that a sign-in keeps both tables to what is still valid.
   */
  consumeSignInNonce(nonce: string, now: number): Promise<boolean>;
  saveSession(session: SessionRow): Promise<void>;
  session(tokenHash: string, now: number): Promise<SessionRow | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session opened with `signer`'s signature (a key rotated out). */
  deleteSessionsOfSigner(signer: Address): Promise<void>;
}
