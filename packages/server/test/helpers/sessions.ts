/** Sessions for calling operations directly, without HTTP sign-in. */
import type { GatewayClient } from '@medledger/client';
import { signerAddressOf } from '@medledger/core';
import type { Session } from '../../src/auth.ts';

/**
 * The session the actor would have after signing in with its current key: valid for an hour.
 *
 * @example
 * await listConsents(gateway.services, sessionOf(patient));
 */
export function sessionOf(actor: GatewayClient): Session {
  return {
    address: actor.address,
    signer: signerAddressOf(actor.identity),
    expiresAt: Date.now() + 3_600_000,
  };
}
