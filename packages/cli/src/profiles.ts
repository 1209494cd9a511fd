/**
 * What the CLI remembers between commands: named profiles (a gateway URL and the path of a key
 * file, never the key itself) in one config file, and each profile's gateway session in a file of
 * its own. Both are readable by their owner only (mode 0600, directories 0700).
 *
 * The config file is `$MEDLEDGER_CONFIG`, else `$XDG_CONFIG_HOME/medledger/config.json`, else
 * `~/.config/medledger/config.json`:
 *
 *     { "version": 1, "currentProfile": "default",
 *       "profiles": { "default": { "server": "http://127.0.0.1:8080", "keyFile": "/home/me/admin.json" } } }
 *
 * Sessions are `sessions/PROFILE.json` beside it. Synchronous on purpose: a command reads them once
 * at its start, before anything else runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { InvalidInputError } from '@medledger/core/errors';

export interface Profile {
  /** The gateway's URL. */
  server?: string;
  /** The absolute path of the key file that acts. */
  keyFile?: string;
}

export interface CliConfig {
  version: 1;
  /** The profile used when neither `--profile` nor `MEDLEDGER_PROFILE` names one. */
  currentProfile?: string;
  profiles: Record<string, Profile>;
}

/** A profile's kept gateway session (the client's `Session`), with whom and where it was signed in. */
export interface KeptSession {
  server: string;
  address: string;
  token: string;
  expiresAt: number;
  idleTimeoutSeconds: number;
  usedAt: number;
}

export const defaultProfile = 'default';

const profileNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The config file's path (see the module's comment). */
export function configPath(): string {
  if (process.env.MEDLEDGER_CONFIG) return process.env.MEDLEDGER_CONFIG;
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'medledger', 'config.json');
}

/** A profile's name, checked: it names a file. */
export function parseProfileName(name: string): string {
  if (!profileNamePattern.test(name))
    throw new InvalidInputError(
      `Invalid profile name "${name}": use letters, digits, "-", "_" or "." (up to 64).`,
      { reason: 'profile_name_invalid' },
    );
  return name;
}

const emptyConfig = (): CliConfig => ({ version: 1, profiles: {} });

/** The config file's content; an empty config when there is no file; `config_invalid` when it is broken. */
export function readConfig(path = configPath()): CliConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig();
    throw new InvalidInputError(`Cannot read the CLI's config file ${path}.`, {
      cause: error,
      reason: 'config_unreadable',
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw brokenConfig(path, 'it is not JSON');
  }
  const problem = configProblem(value);
  if (problem) throw brokenConfig(path, problem);
  return value as CliConfig;
}

function brokenConfig(path: string, problem: string): InvalidInputError {
  return new InvalidInputError(
    `The CLI's config file ${path} is broken: ${problem}. Correct it, or delete it and run \`medledger login\` again.`,
    { reason: 'config_invalid' },
  );
}

/** What is wrong with `value` as a `CliConfig` (its schema), or undefined when nothing is. */
export function configProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object';
  const unknownKey = Object.keys(value).find(
    (key) => !['version', 'currentProfile', 'profiles'].includes(key),
  );
  if (unknownKey) return `unknown field "${unknownKey}"`;
  if (value.version !== 1) return '"version" is not 1';
  if (value.currentProfile !== undefined) {
    if (typeof value.currentProfile !== 'string' || !profileNamePattern.test(value.currentProfile))
      return '"currentProfile" is not a profile name';
  }
  if (!isObject(value.profiles)) return '"profiles" is not an object';
  for (const [name, profile] of Object.entries(value.profiles)) {
    if (!profileNamePattern.test(name)) return `"${name}" is not a profile name`;
    if (!isObject(profile)) return `profile "${name}" is not an object`;
    for (const [key, field] of Object.entries(profile)) {
      if (key === 'server') {
        if (typeof field !== 'string' || !isHttpUrl(field))
          return `profile "${name}": "server" is not an http(s) URL`;
      } else if (key === 'keyFile') {
        if (typeof field !== 'string' || !field) return `profile "${name}": "keyFile" is not a path`;
      } else {
        return `profile "${name}": unknown field "${key}"`;
      }
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Writes the config file (mode 0600, its directory 0700), whole or not at all. */
export function writeConfig(config: CliConfig, path = configPath()): void {
  writePrivateFile(path, config);
}

/** Where the session of `profile` is kept. */
export function sessionPath(profile: string, path = configPath()): string {
  return join(dirname(path), 'sessions', `${parseProfileName(profile)}.json`);
}

/** The session kept for `profile`, if one is and it was signed in at `server` by `address`. */
export function readSession(profile: string, server: string, address: string): KeptSession | undefined {
  const kept = readKeptSession(profile);
  return kept?.server === server && kept.address === address ? kept : undefined;
}

/** The session kept for `profile`, wherever and by whomever it was signed in. */
export function readKeptSession(profile: string): KeptSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(sessionPath(profile), 'utf8'));
  } catch {
    // No session kept, or a file that cannot be one: the command signs in anew and replaces it.
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const { server, address, token, expiresAt, idleTimeoutSeconds, usedAt } = value;
  if (
    typeof server !== 'string' ||
    typeof address !== 'string' ||
    typeof token !== 'string' ||
    typeof expiresAt !== 'number' ||
    typeof idleTimeoutSeconds !== 'number' ||
    typeof usedAt !== 'number'
  )
    return undefined;
  return { server, address, token, expiresAt, idleTimeoutSeconds, usedAt };
}

/** Keeps `session` for `profile` (mode 0600); undefined deletes what was kept. */
export function writeSession(profile: string, session: KeptSession | undefined): void {
  if (session) writePrivateFile(sessionPath(profile), session);
  else removeSession(profile);
}

export function removeSession(profile: string): void {
  rmSync(sessionPath(profile), { force: true });
}

function writePrivateFile(path: string, value: unknown): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, path);
  } catch (error) {
    throw new InvalidInputError(`Cannot write ${path}.`, { cause: error, reason: 'file_unwritable' });
  }
}
