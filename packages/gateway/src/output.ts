/**
 * What `medledger-gateway` prints: the start summary on standard output (JSON with --json), errors
 * on standard error, as the CLI prints them (the gateway's logs go to standard error too).
 */
import { exitCodeOf, MedledgerError } from '@medledger/core';

export interface OutputOptions {
  json?: boolean;
}

export function print(options: OutputOptions, value: unknown, human: () => string): void {
  process.stdout.write(`${options.json ? JSON.stringify(value, null, 2) : human()}\n`);
}

/** Prints an error (with --json, as `{error: {code, reason, message}}`) and answers the exit code. */
export function reportError(error: unknown, json: boolean): number {
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
  return exitCodeOf(error);
}
