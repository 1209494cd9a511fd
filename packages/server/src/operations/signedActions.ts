/**
 * Helpers for operations that relay a signed action: the session must be the signer (a gateway relays
 * only what its caller signed), and the signed integers arrive as decimal strings.
 */
import { AccessDeniedError } from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { Session } from '../auth.ts';

export function requireSigner(session: Session, signer: string, what: string): Address {
  if (session.address.toLowerCase() !== signer.toLowerCase()) {
    throw new AccessDeniedError(
      `You are signed in as ${session.address} but this ${what} is signed for ${signer}; submit your own actions.`,
      { reason: 'not_the_signer' },
    );
  }
  return signer as Address;
}

export function signedArgs(body: {
  nonce: string;
  deadline: string;
  signature: string;
}): [bigint, bigint, Hex] {
  return [BigInt(body.nonce), BigInt(body.deadline), body.signature as Hex];
}
