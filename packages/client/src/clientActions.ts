/** What the gateway client lends to the groups of actions kept in their own files. */

import type { LedgerInfo } from '@medledger/api';
import type { accountOf, LedgerContract } from '@medledger/core';
import type { Hex } from 'viem';

export interface ClientActionContext {
  /** One authenticated (by default) JSON request to the gateway; errors become medledger errors. */
  request<T>(method: string, path: string, body?: unknown, authenticated?: boolean): Promise<T>;
  /** Signs a typed action of `contract` with a fresh nonce and a deadline. */
  sign(
    contract: LedgerContract,
    types: Record<string, readonly { name: string; type: string }[]>,
    primaryType: string,
    message: Record<string, unknown>,
  ): Promise<{ nonce: string; deadline: string; signature: `0x${string}` }>;
  /** The chain and contracts the gateway works with. */
  ledger(): Promise<LedgerInfo>;
  account: ReturnType<typeof accountOf>;
}

/** A JSON request to the gateway, signed in unless `authenticated` is false (for feature modules). */
export type ClientRequest = <T>(
  method: string,
  path: string,
  body?: unknown,
  authenticated?: boolean,
) => Promise<T>;

/** Signs an action with a fresh nonce and deadline (for feature modules). */
export type ClientSign = (
  contract: LedgerContract,
  types: Record<string, readonly { name: string; type: string }[]>,
  primaryType: string,
  message: Record<string, unknown>,
) => Promise<{ nonce: string; deadline: string; signature: Hex }>;
