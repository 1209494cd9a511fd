/** Sessions for calling operations without HTTP, as if the actor had signed in. */
import type { GatewayClient } from '@medledger/client';
import type { Session } from '../../src/auth.ts';

/**
 * The session an actor would get by signing in with its own key, valid for `lifetimeMs`.
 *
 * @example
 * await listNotifications(gateway.services, sessionOf(patient), {});
 */
export function sessionOf(actor: GatewayClient, lifetimeMs = 600_000): Session {
  return { address: actor.address, signer: actor.address, expiresAt: Date.now() + lifetimeMs };
}
