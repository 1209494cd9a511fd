/**
 * What `medledger-gateway` prints: the start summary on standard output (JSON with --json), errors
 * on standard error, as the CLI prints them (the gateway's logs go to standard error too).
 */
import { errorReport, exitCodeOf } from '@medledger/core';

export interface OutputOptions {
  json?: boolean;
  /**
   * How to point a client at a started gateway (the CLI's `medledger login` line), with the key file
   * of its admin when the launcher made one; printed after the start summary.
   */
  usage?: (gateway: { url: string; keyFile?: string }) => string;
}

export function print(options: OutputOptions, value: unknown, human: () => string): void {
  process.stdout.write(`${options.json ? JSON.stringify(value, null, 2) : human()}\n`);
}

/** Prints an error as the CLI does (`errorReport`) and answers the exit code. */
export function reportError(error: unknown, json: boolean): number {
  process.stderr.write(errorReport(error, json));
  return exitCodeOf(error);
}
