/**
 * Assertions on refusals thrown by operations (called without HTTP): by code, reason and fields,
 * never by message text; or, for what the chain refused, by the contract's error.
 */
import assert from 'node:assert/strict';
import type { GatewayClient } from '@medledger/client';
import { MedledgerError } from '@medledger/core';
import type { Session } from '../../src/auth.ts';

/**
 * A session of `actor`, signed in with its own key, as operations take it.
 *
 * @example
 * await listRecords(gateway.services, sessionOf(doctor), { patient: patient.address });
 */
export function sessionOf(actor: GatewayClient): Session {
  return { address: actor.address, signer: actor.address, expiresAt: Date.now() + 600_000 };
}

/**
 * Matches a `MedledgerError` of this code and reason and, if given, exactly these fields.
 *
 * @example
 * await assert.rejects(readRecord(services, session, { recordId }), refused('access_denied', 'no_consent'));
 */
export function refused(code: string, reason: string, fields?: Record<string, unknown>) {
  return (error: unknown) => {
    assert.ok(error instanceof MedledgerError, String(error));
    assert.deepEqual([error.code, error.reason], [code, reason]);
    if (fields) assert.deepEqual({ ...error.fields }, fields);
    return true;
  };
}

/** Matches the chain's refusal: its code, and the contract's error by name. */
export function refusedByChain(code: string, contractError: string) {
  return (error: unknown) => {
    assert.ok(error instanceof MedledgerError, String(error));
    assert.equal(error.code, code);
    assert.equal((error as { contractError?: { name: string } }).contractError?.name, contractError);
    return true;
  };
}
