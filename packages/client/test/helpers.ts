/**
 * For the client's tests: a real gateway (embedded anvil, contracts, SQLite, HTTP) and its actors,
 * borrowed from the gateway's own test helpers, plus what the client's tests assert with.
 */
import assert from 'node:assert/strict';
import { MedledgerError } from '@medledger/core';

export {
  type Consortium,
  foundConsortium,
  newActor,
  newMember,
  newPatient,
} from '../../server/test/helpers/actors.ts';
export { eventually } from '../../server/test/helpers/emergencies.ts';
export {
  startTestConsortium,
  startTestGateway,
  type TestGateway,
} from '../../server/test/helpers/gateway.ts';
export { labResult, medication } from '../../server/test/helpers/records.ts';

/**
 * Asserts that `promise` rejects with a medledger error of class `ErrorClass` with this `reason`
 * (the gateway's machine-readable word, never its English text); resolves with the error.
 */
export async function rejectsWith<E extends MedledgerError>(
  promise: Promise<unknown>,
  ErrorClass: abstract new (...args: never[]) => E,
  reason: string | undefined,
): Promise<E> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ErrorClass, `expected ${ErrorClass.name}, got ${String(caught)}`);
  assert.ok(caught instanceof MedledgerError);
  assert.equal(caught.reason, reason, `reason of: ${caught.shortMessage}`);
  return caught as E;
}
