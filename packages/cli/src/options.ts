/**
 * What the command definitions share: the global options, `--as` and the lazy actions. This module
 * and the definitions in commands/ load nothing heavy, so that `--help` and the start of every
 * command stay fast; each action's code (and the client, viem, the crypto) is imported when it runs.
 */
import type { Command } from 'commander';

export const defaultServer = 'http://127.0.0.1:8080';

/** What a reviewer may find of an emergency (`emergency review --verdict`). */
export const reviewVerdicts = ['justified', 'unjustified'] as const;

export interface GlobalOptions {
  json?: boolean;
  server: string;
  as?: string;
}

export function globalOptions(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<GlobalOptions>();
  return { ...options, server: options.server ?? process.env.MEDLEDGER_SERVER ?? defaultServer };
}

/**
 * Adds the options every command that acts as someone takes: `--as`, and `--otp` for the one-time
 * code an organisation member gives at sign-in (a command whose own `--otp` is a patient's code
 * for its approval keeps it: a patient's sign-in takes no code).
 */
export function actingCommand(command: Command): Command {
  command.requiredOption('--as <keyfile>', 'key file of the identity that acts (from `medledger key new`)');
  if (!command.options.some((option) => option.long === '--otp')) {
    command.option(
      '--otp <code>',
      'your one-time code at sign-in, when your organisation’s policy or your enrolment asks for one (asked for when run in a terminal)',
    );
  }
  return command;
}

/** A command's action as commander calls it: its arguments, the options, then the command. */
// biome-ignore lint/suspicious/noExplicitAny: commander hands actions untyped arguments
export type ActionHandler = (...args: any[]) => Promise<void>;

/** The action `name` of the module that `load` imports, imported only when the command runs. */
export function lazyAction<K extends string>(
  load: () => Promise<Record<K, ActionHandler>>,
  name: K,
): ActionHandler {
  return async (...args) => (await load())[name](...args);
}

/** An error already reported on standard error: the command exits with `exitCode`, printing nothing more. */
export class ReportedError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`exit code ${exitCode}`);
    this.exitCode = exitCode;
  }
}
