/** How commands answer: a human summary by default, the JSON value with --json; errors on stderr. */
import { exitCodeOf, MedledgerError } from '@medledger/core';

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

/** Prints an error the way a person (or with --json, a program) can act on, and sets the exit code. */
export function reportError(error: unknown, json: boolean): number {
  const code = exitCodeOf(error);
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
    process.stderr.write(`${JSON.stringify(body)}\n`);
  } else if (error instanceof MedledgerError) {
    const lines = [`error: ${error.shortMessage}`, ...(error.metaMessages ?? [])];
    if (error.details && error.code !== 'internal') lines.push(`  (${error.details})`);
    process.stderr.write(`${lines.join('\n')}\n`);
  } else {
    process.stderr.write(`error: ${String((error as Error)?.message ?? error)}\n`);
  }
  return code;
}
