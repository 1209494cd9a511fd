/** Errors in plain words: what happened and, where it helps, what to do. */
import { MedledgerError } from '@medledger/core';

const advice: Record<string, string> = {
  access_denied:
    'You do not have permission for this. Ask the patient for access, or check that it has not expired or been revoked.',
  unauthenticated: 'Your session has ended. Unlock your identity again to continue.',
  ledger_unavailable:
    'The ledger cannot be reached right now, so nothing can be checked or changed. Try again shortly.',
  not_found: 'It could not be found.',
  conflict: 'This has already been done or changed in the meantime. Refresh and try again.',
  integrity: 'The data failed its integrity check and was not shown. Report this to your organisation.',
  invalid_input: 'Some of the information is not valid.',
};

/** A sentence for the user, from anything thrown. */
export function plainError(error: unknown): string {
  if (error instanceof MedledgerError) {
    const hint = advice[error.code];
    return hint && !error.shortMessage.endsWith('.')
      ? `${error.shortMessage}. ${hint}`
      : `${error.shortMessage} ${hint ?? ''}`.trim();
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/** Whether an error is a refusal by policy (as opposed to a fault). */
export function isDenied(error: unknown): boolean {
  return error instanceof MedledgerError && error.code === 'access_denied';
}
