/**
 * How a command line prints an error: apart from `errors.ts` because it words refusals with the
 * catalogue (`refusalWords.ts`), which itself builds on the error types.
 */
import { MedledgerError } from './errors.ts';
import { describeRefusal } from './refusalWords.ts';

/**
 * What a command line (`medledger`, `medledger-gateway`) prints on standard error for a thrown
 * value, newline included: with `json`, one line `{"error": {code, reason?, message, details?}}`
 * for programs; otherwise `error: ` and the short message, then the meta messages and the details
 * on lines of their own. The details are left out for internal errors and for refusals the catalogue
 * words (`describeRefusal`): their message says all a person needs, the raw contract error stays in
 * `--json`.
 *
 * @example
 * process.stderr.write(errorReport(error, json));
 * process.exitCode = exitCodeOf(error);
 */
export function errorReport(error: unknown, json: boolean): string {
  if (json) {
    const body =
      error instanceof MedledgerError
        ? {
            error: {
              code: error.code,
              ...(error.reason ? { reason: error.reason } : {}),
              message: error.shortMessage,
              ...(error.details ? { details: error.details } : {}),
            },
          }
        : { error: { code: 'internal', message: String((error as Error)?.message ?? error) } };
    return `${JSON.stringify(body)}\n`;
  }
  if (error instanceof MedledgerError) {
    const lines = [`error: ${error.shortMessage}`, ...(error.metaMessages ?? [])];
    const worded = describeRefusal(error.reason, error.fields) !== undefined;
    if (error.details && error.code !== 'internal' && !worded) lines.push(`  (${error.details})`);
    return `${lines.join('\n')}\n`;
  }
  return `error: ${String((error as Error)?.message ?? error)}\n`;
}
