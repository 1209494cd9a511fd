/** `POST /fhir` with a transaction or batch Bundle. */
import { InvalidInputError } from '@medledger/core';
import type { Bundle } from '../bundles.ts';
import type { FhirContext } from '../context.ts';
import { fhirReasons } from '../outcome.ts';

export async function transaction(_context: FhirContext, body: unknown, _base: string): Promise<Bundle> {
  const bundle = body as { resourceType?: unknown; type?: unknown } | undefined;
  if (bundle?.resourceType !== 'Bundle' || (bundle.type !== 'transaction' && bundle.type !== 'batch')) {
    throw new InvalidInputError('POST to the base takes a Bundle of type transaction or batch.');
  }
  throw new InvalidInputError('Transactions are not implemented yet.', {
    reason: fhirReasons.notImplemented,
  });
}
