/** Errors in plain words: what happened and, where it helps, what to do. */
import { describeRefusal, MedledgerError } from '@medledger/core';

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
  rate_limited: 'Too many attempts in a short time. Wait a little and try again.',
};

/**
 * A sentence for the user, from anything thrown: the core catalogue's plain words for the error's
 * reason (`describeRefusal`, from its `fields`), else its message with advice for its code.
 */
export function plainError(error: unknown): string {
  if (error instanceof MedledgerError) {
    const worded = describeRefusal(error.reason, error.fields);
    if (worded) return worded;
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

/**
 * A refused one-time code in plain words, told apart by the error's `reason` and `fields`: missing,
 * wrong or expired (with the tries left), already used, or approvals locked until a time (shown in
 * the reader's own time zone). Other errors as `plainError`.
 */
export function plainCodeError(error: unknown): string {
  if (!(error instanceof MedledgerError)) return plainError(error);
  switch (error.reason) {
    case 'otp_locked': {
      const lockedUntil = error.fields?.lockedUntil;
      if (typeof lockedUntil !== 'number') return plainError(error);
      const when = new Date(lockedUntil * 1000).toLocaleString(undefined, {
        dateStyle: 'medium',
        timeStyle: 'short',
      });
      return `Not approved: too many wrong one-time codes. To protect your records, approvals are locked until ${when}; even the right code is refused until then.`;
    }
    case 'otp_code_used':
      return 'Not approved: this code was already used. Wait for the next code in your authenticator app (a new one every 30 seconds) and enter it.';
    case 'otp_wrong':
      return `Not approved: the one-time code is wrong or has expired. Enter the code your authenticator app shows now.${lockWarning(error.fields?.attemptsLeft)}`;
    case 'otp_required':
      return 'Not approved: your approvals need the current one-time code from your authenticator app.';
    default:
      return plainError(error);
  }
}

/** " N more wrong codes within 15 minutes will lock approvals for 15 minutes." when the count is known. */
function lockWarning(attemptsLeft: unknown): string {
  if (typeof attemptsLeft !== 'number') return '';
  const codes = attemptsLeft === 1 ? 'code' : 'codes';
  return ` ${attemptsLeft} more wrong ${codes} within 15 minutes will lock approvals for 15 minutes.`;
}

/** Runs an action that sends a one-time code, turning its refusals into `plainCodeError`'s words. */
export async function withPlainCodeErrors<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new Error(plainCodeError(error));
  }
}
