/** Any failure of a chain call, as the medledger error callers act on. */
import { LedgerUnavailableError, MedledgerError } from '@medledger/core';
import { contractErrorFrom } from './contractErrors.ts';

/**
 * A contract's custom error becomes its medledger error (`contractErrors.ts`); anything else means
 * the ledger is unavailable, so callers that authorise access fail closed.
 *
 * @example
 * try { await client.readContract(call); } catch (error) { throw asLedgerError(error, 'reading a grant'); }
 */
export function asLedgerError(error: unknown, doing: string): MedledgerError {
  if (error instanceof MedledgerError) return error;
  const contractError = contractErrorFrom(error);
  if (contractError) return contractError;
  return new LedgerUnavailableError(`The ledger could not be reached while ${doing}.`, {
    details: (error as { shortMessage?: string }).shortMessage ?? String((error as Error)?.message ?? error),
    cause: error,
  });
}
