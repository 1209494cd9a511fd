/**
 * The client's transport to one gateway, acting as one identity: JSON requests to the gateway's
 * URL, the session (EIP-4361 sign-in with the identity, the token reused until it nears its end or
 * has been unused for half its idle timeout, and signed in again once when the gateway says it ended),
 * the gateway's error answers turned into typed medledger errors, and EIP-712 signing of ledger
 * actions with a fresh nonce and a deadline. Actions (`actions/`) take a transport first.
 *
 * Uses only `fetch`, viem and the core library, so the CLI, the benchmarks and the web app share it.
 */

import type { LedgerInfo, SignedIn, SignInChallenge, StaffSecondFactorAttestationBody } from '@medledger/api';
import {
  type Actor,
  bytesToHex,
  type Identity,
  type LedgerContract,
  ledgerDomain,
  MedledgerError,
  randomBytes,
  signingAccountOf,
  UnauthenticatedError,
} from '@medledger/core';
import type { Address, Hex, LocalAccount } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import { errorFromResponse } from './errorFromResponse.ts';

export interface TransportOptions<A extends Actor = Identity> {
  /** Base URL of the gateway, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Who acts: an identity holding its signing key, or a wallet identity whose wallet signs. */
  identity: A;
  /**
   * Seconds a signed action stays valid: one hour by default, so that a gateway that journaled it
   * can still apply it after recovering from a crash of itself or of its chain. A revocation, which
   * can only take access away and never applies twice, stays valid for 30 days.
   */
  signatureLifetimeSeconds?: number;
  /**
   * The one-time code an organisation member gives at sign-in (its organisation's policy, or its own
   * enrolment): a code, sent with the first sign-in, or a function asked for one when the gateway
   * answers `otp_required` (and asked again on each later sign-in that needs one).
   */
  otp?: string | (() => string | Promise<string>);
  /**
   * At another organisation's gateway: the member's home gateway's attestation that it signed in
   * there with its code (`staffAttestation` of a client of that gateway), asked for when this
   * gateway answers `second_factor_attestation_required`.
   */
  attestation?: () => Promise<StaffSecondFactorAttestationBody>;
  /** A session signed in earlier (e.g. kept in a file by the CLI), used while it is usable. */
  session?: Session;
  /**
   * Told of the session whenever it changes: signed in, used (its `usedAt`), or dropped
   * (undefined), so that a caller keeping it elsewhere keeps it up to date.
   */
  onSession?: (session: Session | undefined) => void;
}

/** EIP-712 types of a ledger contract's actions (`consentsTypes`, `consortiumTypes`, ...). */
export type TypedDataTypes = Record<string, readonly { name: string; type: string }[]>;

/** What a signed action adds to its message in a request body. */
export interface SignedAction {
  nonce: string;
  deadline: string;
  signature: Hex;
}

export interface Session {
  token: string;
  /** The session's absolute end, Unix milliseconds. */
  expiresAt: number;
  /** The gateway ends the session once unused for this long. */
  idleTimeoutSeconds: number;
  /** When this client last sent a request with the session, Unix milliseconds. */
  usedAt: number;
}

/**
 * One gateway as seen by one identity; what every action takes first. Actions take any `Transport`
 * (an identity holding its key or a wallet identity); a client made for an `Identity` keeps that type.
 */
export interface Transport<A extends Actor = Actor> {
  /** The gateway's base URL, without a trailing slash. */
  url: string;
  identity: A;
  /** The identity's address, lower-case. */
  address: Address;
  /** The identity's signing account (viem): its signing key's, or its wallet's. */
  account: LocalAccount;
  signatureLifetimeSeconds: number;
  /**
   * One JSON request to the gateway, signed in unless `authenticated` is false; resolves with the
   * answer's body (undefined for 204) and rejects with the medledger error the gateway's answer names.
   * When the gateway answers that the session has ended (`session_unknown`: expired, unused too
   * long, signed out elsewhere), it signs in again and sends the request once more; the gateway
   * refused the first before doing anything.
   */
  call<T>(method: string, path: string, body?: unknown, authenticated?: boolean): Promise<T>;
  /**
   * The session, signed in (again) when there is none, it ends within 30 seconds, or it has been
   * unused for half its idle timeout (the gateway may have ended it).
   */
  signIn(): Promise<Session>;
  /** The session held now, if any, without signing in. */
  currentSession(): Session | undefined;
  /** Forgets the session, so that the next request signs in again (the gateway ended it). */
  dropSession(): void;
  /** The chain and contracts the gateway works with (asked once). */
  ledger(): Promise<LedgerInfo>;
  /** Signs an action of this identity for a ledger contract, with a fresh nonce and deadline. */
  signAction<M extends Record<string, unknown>>(
    contract: LedgerContract,
    types: TypedDataTypes,
    primaryType: string,
    message: M,
  ): Promise<SignedAction>;
  /**
   * A value kept for this transport's lifetime under `key`, made by `load` on first use; a promise
   * that rejects is forgotten, so that the next use asks again.
   */
  cached<T>(key: string, load: () => T): T;
  /** Forgets the value kept under `key`: the next `cached` use makes it again. */
  forget(key: string): void;
}

/** A revocation's signature lifetime: re-applying it late is always safe, dropping it never is. */
const revocationLifetimeSeconds = 30 * 24 * 3600;

/**
 * One JSON request to the gateway at `url`, with a session token or none; errors become medledger
 * errors (`gateway_unreachable` when nothing answers). For calls made without an identity.
 *
 * @example
 * const info = await requestGateway<LedgerInfo>('http://127.0.0.1:8080', 'GET', '/api/ledger');
 */
export async function requestGateway<T>(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<T> {
  const baseUrl = url.replace(/\/+$/, '');
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch (cause) {
    throw new MedledgerError(`Cannot reach the gateway at ${baseUrl}; is it running?`, {
      cause,
      reason: 'gateway_unreachable',
    });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new MedledgerError(`The gateway answered ${response.status} with something that is not JSON.`);
  }
  if (!response.ok) throw errorFromResponse(response.status, json);
  return json as T;
}

/**
 * @example
 * const transport = createTransport({ url: 'http://127.0.0.1:8080', identity });
 * const me = await transport.call<Me>('GET', '/api/me');
 */
export function createTransport<A extends Actor = Identity>(options: TransportOptions<A>): Transport<A> {
  const url = options.url.replace(/\/+$/, '');
  const { identity } = options;
  const account = signingAccountOf(identity);
  const lifetime = options.signatureLifetimeSeconds ?? 3600;
  let session: Session | undefined = options.session ? { ...options.session } : undefined;
  const report = () => options.onSession?.(session);
  const cache = new Map<string, unknown>();

  function cached<T>(key: string, load: () => T): T {
    if (cache.has(key)) return cache.get(key) as T;
    const value = load();
    cache.set(key, value);
    if (value instanceof Promise) {
      value.catch(() => {
        if (cache.get(key) === value) cache.delete(key);
      });
    }
    return value;
  }

  async function call<T>(method: string, path: string, body?: unknown, authenticated = true): Promise<T> {
    const send = (token?: string) =>
      requestGateway<T>(url, method, path, {
        ...(body === undefined ? {} : { body }),
        ...(token ? { token } : {}),
      });
    if (!authenticated) return send();
    const used = await signIn();
    used.usedAt = Date.now();
    report();
    try {
      return await send(used.token);
    } catch (error) {
      if (!(error instanceof UnauthenticatedError) || error.reason !== 'session_unknown') throw error;
      if (session === used) session = undefined;
      const fresh = await signIn();
      fresh.usedAt = Date.now();
      report();
      return send(fresh.token);
    }
  }

  /** Whether `held` can still be used: not near its end, nor unused for half its idle timeout. */
  function usable(held: Session, now: number): boolean {
    return held.expiresAt - now > 30_000 && now - held.usedAt < (held.idleTimeoutSeconds * 1000) / 2;
  }

  async function signIn(): Promise<Session> {
    if (session && usable(session, Date.now())) return session;
    const { otp, attestation } = options;
    let result: SignedIn;
    try {
      result = await signInOnce(typeof otp === 'string' ? otp : undefined);
    } catch (error) {
      // The gateway spent the nonce: a new message carries the code or the attestation.
      const asked = error instanceof UnauthenticatedError ? error.reason : undefined;
      if (asked === 'otp_required' && typeof otp === 'function') {
        result = await signInOnce(await otp());
      } else if (asked === 'second_factor_attestation_required' && attestation) {
        result = await signInOnce(undefined, await attestation());
      } else {
        throw error;
      }
    }
    session = {
      token: result.token,
      expiresAt: result.expiresAt,
      idleTimeoutSeconds: result.idleTimeoutSeconds,
      usedAt: Date.now(),
    };
    report();
    return session;
  }

  /** One EIP-4361 sign-in (a fresh challenge, a signed message), with a one-time code or attestation. */
  async function signInOnce(
    code: string | undefined,
    attestation?: StaffSecondFactorAttestationBody,
  ): Promise<SignedIn> {
    const challenge = await call<SignInChallenge>('POST', '/api/auth/challenge', undefined, false);
    const { host, origin } = new URL(url);
    const now = new Date();
    const message = createSiweMessage({
      domain: host,
      address: account.address,
      statement: 'Sign in to medledger.',
      uri: origin,
      version: '1',
      chainId: challenge.chainId,
      nonce: challenge.nonce,
      issuedAt: now,
      expirationTime: new Date(now.getTime() + 5 * 60_000),
    });
    const signature = await account.signMessage({ message });
    const body = {
      message,
      signature,
      ...(code ? { otp: code } : {}),
      ...(attestation ? { attestation } : {}),
    };
    return call<SignedIn>('POST', '/api/auth/session', body, false);
  }

  const ledger = () => cached('ledger', () => call<LedgerInfo>('GET', '/api/ledger', undefined, false));

  async function signAction<M extends Record<string, unknown>>(
    contract: LedgerContract,
    types: TypedDataTypes,
    primaryType: string,
    message: M,
  ): Promise<SignedAction> {
    const info = await ledger();
    const nonce = BigInt(bytesToHex(randomBytes(32)));
    const seconds = primaryType === 'Revoke' ? Math.max(lifetime, revocationLifetimeSeconds) : lifetime;
    const deadline = BigInt(Math.floor(Date.now() / 1000) + seconds);
    const signature = await account.signTypedData({
      domain: ledgerDomain(contract, info.chainId, info.contracts[contract]),
      types,
      primaryType,
      message: { ...message, nonce, deadline },
    } as Parameters<typeof account.signTypedData>[0]);
    return { nonce: nonce.toString(), deadline: deadline.toString(), signature };
  }

  return {
    url,
    identity,
    address: identity.address.toLowerCase() as Address,
    account,
    signatureLifetimeSeconds: lifetime,
    call,
    signIn,
    currentSession: () => session,
    dropSession: () => {
      session = undefined;
      report();
    },
    ledger,
    signAction,
    cached,
    forget: (key: string) => void cache.delete(key),
  };
}
