/**
 * Sign-in with Ethereum (EIP-4361): the gateway hands out a single-use nonce, the client signs a
 * SIWE message naming this gateway's domain, and gets a bearer token. Only the token's SHA-256 is
 * stored.
 *
 * A session has two limits (OWASP ASVS level 2): it ends `sessionIdleSeconds` after its last use,
 * and `sessionLifetimeSeconds` after sign-in however much it is used. Last use lives in the store
 * (processes sharing a database see the same), written at most once per `sessionTouchMs(idle)`
 * rather than on every request: a session therefore ends between idle − granularity and idle after
 * its last request. Ended rows are removed at every sign-in and by `purgeEndedSessions` (run
 * periodically by the gateway). Sign-out ends one session; sign-out everywhere every session of the
 * account.
 *
 * The message names the account signing in; the signature must be by the key the chain says signs
 * for it now (`Consortium.signerOf`): a patient that rotated its key signs in as its first address
 * with its new key, and the key it rotated out is refused. A key rotated in for a patient cannot
 * sign in as itself. Reading the chain is part of signing in: when it cannot be read, nobody signs in.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { StaffSecondFactorAttestationBody } from '@medledger/api';
import { InvalidInputError, OverloadedError, UnauthenticatedError } from '@medledger/core';
import { type Address, type Hex, isAddressEqual, verifyMessage } from 'viem';
import { generateSiweNonce, parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import type { GatewayStore } from './store/gatewayStore.ts';

export interface Session {
  /** The account signed in. */
  address: Address;
  /** The key that signed in for it. */
  signer: Address;
  /** The session's absolute end (Unix ms). */
  expiresAt: number;
}

/** Who may sign for an account, as the chain says. */
export interface AccountKeys {
  /** The key that signs for the account now. */
  signer: Address;
  /** The patient the account was rotated in for as a key, if it was. */
  patientOfSigner: Address | null;
}

export interface AuthServiceOptions {
  store: GatewayStore;
  chainId: number;
  /** Domains (host[:port]) this gateway answers to; a message for any other is refused. */
  domains: string[];
  /** Seconds a session may go unused before it ends. */
  sessionIdleSeconds: number;
  /** Seconds after sign-in at which a session ends however much it is used. */
  sessionLifetimeSeconds: number;
  /** Reads the chain's keys of an account; throws `LedgerUnavailableError` when it cannot. */
  keysOf(account: Address): Promise<AccountKeys>;
  /** Default `defaultMaxPendingSignIns`. */
  maxPendingSignIns?: number;
  /**
   * Runs once the signature and nonce are accepted, before a session is made: the second factor of
   * the account at sign-in (`operations/staffSecondFactor.ts`), given `otp` and, at another
   * organisation's gateway, the home gateway's `attestation`; throws to refuse.
   */
  checkSecondFactor?(
    account: Address,
    otp: string | undefined,
    attestation: StaffSecondFactorAttestationBody | undefined,
  ): Promise<void>;
}

const nonceTtlMs = 5 * 60_000;

/**
 * Sign-ins under way (nonces handed out, not yet used or expired) kept at most: past it, a
 * challenge is refused (503 `overloaded`, reason `sign_in_busy`) rather than stored. The per-address
 * rate limit holds one client to far fewer; this bounds the table against many addresses at once.
 */
export const defaultMaxPendingSignIns = 10_000;

/**
 * How stale a session's recorded last use may get before a request writes it again: a quarter of
 * the idle timeout, at most a minute (so one write per session per minute at most, whatever the
 * request rate).
 */
export function sessionTouchMs(idleSeconds: number): number {
  return Math.min(60_000, (idleSeconds * 1000) / 4);
}

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService(options: AuthServiceOptions) {
  const { store, chainId } = options;
  const idleMs = options.sessionIdleSeconds * 1000;
  const lifetimeMs = options.sessionLifetimeSeconds * 1000;
  const touchMs = sessionTouchMs(options.sessionIdleSeconds);
  const domains = new Set(options.domains.map((domain) => domain.toLowerCase()));

  async function challenge(): Promise<{ nonce: string; expiresAt: number }> {
    const nonce = generateSiweNonce();
    const now = Date.now();
    const expiresAt = now + nonceTtlMs;
    const stored = await store.saveSignInNonce(nonce, expiresAt, {
      now,
      max: options.maxPendingSignIns ?? defaultMaxPendingSignIns,
    });
    if (!stored) {
      throw new OverloadedError('Too many sign-ins are under way; try again in a minute.', {
        reason: 'sign_in_busy',
        fields: { retryAfter: 60 },
      });
    }
    return { nonce, expiresAt };
  }

  async function signIn(
    message: string,
    signature: Hex,
    otp?: string,
    attestation?: StaffSecondFactorAttestationBody,
  ): Promise<{ token: string; address: Address; expiresAt: number; idleTimeoutSeconds: number }> {
    const fields = parseSiweMessage(message);
    if (!fields.address || !fields.nonce || !fields.domain) {
      throw new InvalidInputError('The sign-in message is not an EIP-4361 message.', {
        reason: 'not_siwe_message',
      });
    }
    if (!domains.has(fields.domain.toLowerCase())) {
      throw new UnauthenticatedError(`The sign-in message is for ${fields.domain}, not for this gateway.`, {
        reason: 'siwe_wrong_domain',
        fields: { domain: fields.domain },
      });
    }
    if (fields.chainId !== chainId) {
      throw new UnauthenticatedError(`The sign-in message is for chain ${fields.chainId}, not ${chainId}.`, {
        reason: 'siwe_wrong_chain',
        fields: { chainId },
      });
    }
    if (!validateSiweMessage({ message: fields, time: new Date() })) {
      throw new UnauthenticatedError('The sign-in message has expired or is not yet valid.', {
        reason: 'siwe_not_current',
      });
    }
    const account = fields.address;
    const keys = await options.keysOf(account);
    if (keys.patientOfSigner) {
      throw new UnauthenticatedError(
        `${account} is a key of patient ${keys.patientOfSigner}: sign in as the patient, with that key.`,
        { reason: 'patient_key_account', fields: { patient: keys.patientOfSigner } },
      );
    }
    const valid = await verifyMessage({ address: keys.signer, message, signature }).catch(() => false);
    if (!valid) {
      throw isAddressEqual(keys.signer, account)
        ? new UnauthenticatedError('The sign-in signature does not match the address.', {
            reason: 'siwe_bad_signature',
          })
        : new UnauthenticatedError(
            `The sign-in signature is not by the current key of ${account}: a key rotated out cannot sign in.`,
            { reason: 'signer_rotated_out' },
          );
    }
    if (!(await store.consumeSignInNonce(fields.nonce, Date.now()))) {
      throw new UnauthenticatedError('The sign-in nonce is unknown, used or expired; ask for a new one.', {
        reason: 'siwe_nonce_unknown',
      });
    }
    // After the nonce is spent, so that one signed message never tries more than one code.
    await options.checkSecondFactor?.(account, otp, attestation);
    const now = Date.now();
    // Every sign-in clears the sessions that have ended, so the table holds at most the sessions
    // still valid plus those ended since the last sign-in or purge.
    await store.deleteEndedSessions(now, idleMs);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + lifetimeMs;
    await store.saveSession({
      tokenHash: hashToken(token),
      address: account,
      signer: keys.signer,
      expiresAt,
      lastUsedAt: now,
    });
    return {
      token,
      address: account.toLowerCase() as Address,
      expiresAt,
      idleTimeoutSeconds: options.sessionIdleSeconds,
    };
  }

  /** The session behind an `Authorization: Bearer` header, or `UnauthenticatedError`. */
  async function authenticate(header: string | undefined): Promise<Session> {
    const token = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(header ?? '')?.[1];
    if (!token)
      throw new UnauthenticatedError('Sign in first: this needs an "Authorization: Bearer" session token.', {
        reason: 'session_missing',
      });
    const tokenHash = hashToken(token);
    const now = Date.now();
    const session = await store.session(tokenHash, now, idleMs);
    // Unknown, signed out, past its end or unused too long: one answer, the client signs in again.
    if (!session)
      throw new UnauthenticatedError('The session token is unknown or has expired; sign in again.', {
        reason: 'session_unknown',
      });
    if (now - session.lastUsedAt >= touchMs) await store.touchSession(tokenHash, now, touchMs);
    return { address: session.address, signer: session.signer, expiresAt: session.expiresAt };
  }

  async function signOut(header: string | undefined): Promise<void> {
    const token = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
    if (token) await store.deleteSession(hashToken(token));
  }

  /** Ends every session of the session's account, this one included; resolves with how many. */
  async function signOutEverywhere(session: Session): Promise<number> {
    return store.deleteSessionsOfAccount(session.address);
  }

  /** Removes the sessions that have ended (absolute end or idle); resolves with how many. */
  async function purgeEndedSessions(): Promise<number> {
    return store.deleteEndedSessions(Date.now(), idleMs);
  }

  return { challenge, signIn, authenticate, signOut, signOutEverywhere, purgeEndedSessions };
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
