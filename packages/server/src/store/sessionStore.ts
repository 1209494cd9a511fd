/** Sign-in nonces and the sessions opened with them. */
import type { Address } from 'viem';

export interface SessionRow {
  tokenHash: string;
  /** The account signed in. */
  address: Address;
  /** The key that signed the sign-in message: the account's own, or the key a patient rotated to. */
  signer: Address;
  /** The session's absolute end (Unix ms): it is valid only before, however much it is used. */
  expiresAt: number;
  /**
   * When the session was last used (Unix ms), as recorded: the gateway writes it only when the
   * recorded value is older than its granularity (`touchSession`), so it may lag the last request
   * by up to that much.
   */
  lastUsedAt: number;
}

export interface SessionStore {
  /**
   * Stores a nonce; with `bound`, only while fewer than `bound.max` nonces are stored (expired ones
   * are removed first when the bound is reached). True when it was stored.
   */
  saveSignInNonce(nonce: string, expiresAt: number, bound?: { now: number; max: number }): Promise<boolean>;
  /**
   * Removes the nonce; true when it existed and had not expired. Also removes every nonce expired
   * by `now`, so that a sign-in keeps the table to what is still valid.
   */
  consumeSignInNonce(nonce: string, now: number): Promise<boolean>;
  saveSession(session: SessionRow): Promise<void>;
  /**
   * The session, if it is valid at `now`: `now < expiresAt` and `now - lastUsedAt < idleMs`.
   * Reads only; a use is recorded with `touchSession`.
   */
  session(tokenHash: string, now: number, idleMs: number): Promise<SessionRow | undefined>;
  /**
   * Records a use of the session at `now`, in one UPDATE, only if its recorded last use is
   * `granularityMs` or more before `now`; true when it wrote. Processes sharing the store write at
   * most once per window between them (the condition is checked by the UPDATE itself).
   */
  touchSession(tokenHash: string, now: number, granularityMs: number): Promise<boolean>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session opened with `signer`'s signature (a key rotated out). */
  deleteSessionsOfSigner(signer: Address): Promise<void>;
  /** Ends every session of account `address` (sign-out everywhere); resolves with how many there were. */
  deleteSessionsOfAccount(address: Address): Promise<number>;
  /**
   * Removes the sessions ended by `now`, by their absolute end or by `idleMs` without use; resolves
   * with how many.
   */
  deleteEndedSessions(now: number, idleMs: number): Promise<number>;
}
