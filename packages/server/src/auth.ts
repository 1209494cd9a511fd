/**
 * Sign-in with Ethereum (EIP-4361): the gateway hands out a single-use nonce, the client signs a
 * SIWE message naming this gateway's domain, and gets a short-lived bearer token. Only the
 * token's SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InvalidInputError, UnauthenticatedError } from '@medledger/core';
import { type Address, type Hex, verifyMessage } from 'viem';
import { generateSiweNonce, parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import type { GatewayStore } from './store/gatewayStore.ts';

export interface Session {
  address: Address;
  expiresAt: number;
}

export interface AuthServiceOptions {
  store: GatewayStore;
  chainId: number;
  /** Domains (host[:port]) this gateway answers to; a message for any other is refused. */
  domains: string[];
  sessionTtlSeconds: number;
}

const nonceTtlMs = 5 * 60_000;

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService(options: AuthServiceOptions) {
  const { store, chainId, sessionTtlSeconds } = options;
  const domains = new Set(options.domains.map((domain) => domain.toLowerCase()));

  async function challenge(): Promise<{ nonce: string; expiresAt: number }> {
    const nonce = generateSiweNonce();
    const expiresAt = Date.now() + nonceTtlMs;
    await store.saveSignInNonce(nonce, expiresAt);
    return { nonce, expiresAt };
  }

  async function signIn(
    message: string,
    signature: Hex,
  ): Promise<{ token: string; address: Address; expiresAt: number }> {
    const fields = parseSiweMessage(message);
    if (!fields.address || !fields.nonce || !fields.domain) {
      throw new InvalidInputError('The sign-in message is not an EIP-4361 message.');
    }
    if (!domains.has(fields.domain.toLowerCase())) {
      throw new UnauthenticatedError(`The sign-in message is for ${fields.domain}, not for this gateway.`);
    }
    if (fields.chainId !== chainId) {
      throw new UnauthenticatedError(`The sign-in message is for chain ${fields.chainId}, not ${chainId}.`);
    }
    if (!validateSiweMessage({ message: fields, time: new Date() })) {
      throw new UnauthenticatedError('The sign-in message has expired or is not yet valid.');
    }
    const valid = await verifyMessage({ address: fields.address, message, signature }).catch(() => false);
    if (!valid) throw new UnauthenticatedError('The sign-in signature does not match the address.');
    if (!(await store.consumeSignInNonce(fields.nonce, Date.now()))) {
      throw new UnauthenticatedError('The sign-in nonce is unknown, used or expired; ask for a new one.');
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + sessionTtlSeconds * 1000;
    await store.saveSession({ tokenHash: hashToken(token), address: fields.address, expiresAt });
    return { token, address: fields.address.toLowerCase() as Address, expiresAt };
  }

  /** The session behind an `Authorization: Bearer` header, or `UnauthenticatedError`. */
  async function authenticate(header: string | undefined): Promise<Session> {
    const token = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(header ?? '')?.[1];
    if (!token)
      throw new UnauthenticatedError('Sign in first: this needs an "Authorization: Bearer" session token.');
    const session = await store.session(hashToken(token), Date.now());
    if (!session)
      throw new UnauthenticatedError('The session token is unknown or has expired; sign in again.');
    return { address: session.address, expiresAt: session.expiresAt };
  }

  async function signOut(header: string | undefined): Promise<void> {
    const token = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
    if (token) await store.deleteSession(hashToken(token));
  }

  return { challenge, signIn, authenticate, signOut };
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
