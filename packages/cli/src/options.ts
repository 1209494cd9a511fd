/**
 * What the command definitions share: the global options and their resolution, `--as` and the lazy actions. This module
 * and the definitions in commands/ load nothing heavy, so that `--help` and the start of every
 * command stay fast; each action's code (and the client, viem, the crypto) is imported when it runs.
 */
import type { Command } from 'commander';
import { defaultProfile, parseProfileName, readConfig } from './profiles.ts';

export const defaultServer = 'http://127.0.0.1:8080';

/** What a reviewer may find of an emergency (`emergency review --verdict`). */
export const reviewVerdicts = ['justified', 'unjustified'] as const;

export interface GlobalOptions {
  json?: boolean;
  /** The gateway: `--server`, else `MEDLEDGER_SERVER`, else the profile's, else `defaultServer`. */
  server: string;
  /** The key file that acts: `--as`, else `MEDLEDGER_KEY`, else the profile's. */
  as?: string;
  /** The profile: `--profile`, else `MEDLEDGER_PROFILE`, else the config's current one, else "default". */
  profile: string;
  /**
   * Whether the gateway and the key file are the profile's own, so that its kept session is theirs
   * (`--server` or `--as` naming others acts without it).
   */
  profileIdentity: boolean;
  /** Where each setting came from (`medledger config show`). */
  sources: { profile: SettingSource; server: SettingSource; as?: SettingSource };
}

export type SettingSource = 'flag' | 'environment' | 'config' | 'profile' | 'default';

/** The first of `candidates` that has a value, and where it came from. */
function firstOf<T>(candidates: [T | undefined, SettingSource][]): [T, SettingSource] | undefined {
  return candidates.find((candidate): candidate is [T, SettingSource] => Boolean(candidate[0]));
}

/**
 * The one place the CLI decides where it talks to and as whom: a flag, else the environment, else
 * the profile (`medledger login`), else the built-in default.
 */
export function globalOptions(command: Command): GlobalOptions {
  const flags = command.optsWithGlobals<{ json?: boolean; server?: string; as?: string; profile?: string }>();
  const config = readConfig();
  const [name, profileSource] = firstOf([
    [flags.profile, 'flag'],
    [process.env.MEDLEDGER_PROFILE, 'environment'],
    [config.currentProfile, 'config'],
  ]) ?? [defaultProfile, 'default'];
  const profile = parseProfileName(name);
  const saved = config.profiles[profile];
  const [server, serverSource] = firstOf([
    [flags.server, 'flag'],
    [process.env.MEDLEDGER_SERVER, 'environment'],
    [saved?.server, 'profile'],
  ]) ?? [defaultServer, 'default'];
  const [as, asSource] = firstOf([
    [flags.as, 'flag'],
    [process.env.MEDLEDGER_KEY, 'environment'],
    [saved?.keyFile, 'profile'],
  ]) ?? [undefined, undefined];
  return {
    ...(flags.json ? { json: true } : {}),
    server,
    ...(as ? { as } : {}),
    profile,
    profileIdentity: Boolean(
      saved?.keyFile && as === saved.keyFile && server === (saved.server ?? defaultServer),
    ),
    sources: { profile: profileSource, server: serverSource, ...(asSource ? { as: asSource } : {}) },
  };
}

/**
 * Adds the options every command that acts as someone takes: `--as`, and `--otp` for the one-time
 * code an organisation member gives at sign-in (a command whose own `--otp` is a patient's code
 * for its approval keeps it: a patient's sign-in takes no code).
 */
export function actingCommand(command: Command): Command {
  command.option(
    '--as <keyfile>',
    'key file of the identity that acts (from `medledger key new`); env MEDLEDGER_KEY, else the profile’s (`medledger login`)',
  );
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
