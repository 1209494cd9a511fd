/** How commands answer: a human summary by default, the JSON value with --json; errors on stderr. */
import { errorReport } from '@medledger/core/errorReport';
import { exitCodeOf } from '@medledger/core/errors';

export interface OutputOptions {
  json?: boolean;
}

export function print(options: OutputOptions, value: unknown, human?: string | (() => string)): void {
  if (options.json || human === undefined) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  } else {
    process.stdout.write(`${typeof human === 'function' ? human() : human}\n`);
  }
}

/** Prints an error the way a person (or with --json, a program) can act on, and answers the exit code. */
export function reportError(error: unknown, json: boolean): number {
  process.stderr.write(errorReport(error, json));
  return exitCodeOf(error);
}
