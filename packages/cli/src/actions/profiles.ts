/** `login`, `logout` and `config`: the profiles and sessions of profiles.ts, as commands. */
import { resolve } from 'node:path';
import { createGatewayClient, requestGateway } from '@medledger/client';
import { InvalidInputError, NotFoundError, UnauthenticatedError } from '@medledger/core';
import type { Command } from 'commander';
import { globalOptions, keptSession, signInCodeOf } from '../context.ts';
import { readKeyFile } from '../keyFile.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';
import {
  configPath,
  isHttpUrl,
  parseProfileName,
  readConfig,
  readKeptSession,
  removeSession,
  writeConfig,
} from '../profiles.ts';

function parseServer(server: string): string {
  if (!isHttpUrl(server))
    throw new InvalidInputError(`Invalid gateway URL "${server}": expected http:// or https://.`, {
      reason: 'server_invalid',
    });
  return server.replace(/\/+$/, '');
}

export const login: ActionHandler = async (options: { key?: string }, command: Command) => {
  const global = globalOptions(command);
  const key = options.key ?? global.as;
  if (!key)
    throw new InvalidInputError('Give the key file that acts: medledger login --key KEYFILE.', {
      reason: 'identity_missing',
    });
  const keyFile = resolve(key);
  const server = parseServer(global.server);
  const identity = await readKeyFile(keyFile);
  await endKeptSession(global.profile);
  const signInCode = signInCodeOf(command);
  const client = createGatewayClient({
    url: server,
    identity,
    ...(signInCode ? { otp: signInCode } : {}),
    onSession: keptSession(global.profile, server, identity.address).onSession,
  });
  const session = await client.signIn();
  const config = readConfig();
  config.profiles[global.profile] = { server, keyFile };
  config.currentProfile = global.profile;
  writeConfig(config);
  const result = {
    profile: global.profile,
    server,
    keyFile,
    address: identity.address.toLowerCase(),
    sessionExpiresAt: new Date(session.expiresAt).toISOString(),
  };
  print(global, result, () =>
    [
      `Signed in at ${server} as ${result.address} (profile "${global.profile}", now the current one).`,
      `Later commands use this gateway and ${keyFile} without --server or --as, and the session until it ends.`,
    ].join('\n'),
  );
};

export const logout: ActionHandler = async (_options, command: Command) => {
  const global = globalOptions(command);
  const ended = await endKeptSession(global.profile);
  print(global, { profile: global.profile, signedOut: ended }, () =>
    ended
      ? `Signed out: the session of profile "${global.profile}" is ended and forgotten.`
      : `Profile "${global.profile}" had no session; nothing to end.`,
  );
};

/**
 * Ends the session kept for `profile` at its gateway (one already ended there counts as ended) and
 * forgets it; whether there was one.
 */
async function endKeptSession(profile: string): Promise<boolean> {
  const kept = readKeptSession(profile);
  if (!kept) return false;
  try {
    await requestGateway<void>(kept.server, 'DELETE', '/api/auth/session', { token: kept.token });
  } catch (error) {
    if (!(error instanceof UnauthenticatedError)) throw error;
  }
  removeSession(profile);
  return true;
}

export const setProfile: ActionHandler = async (options: { key?: string }, command: Command) => {
  const global = globalOptions(command);
  const { server } = command.optsWithGlobals<{ server?: string }>();
  if (!server && !options.key)
    throw new InvalidInputError('Give what to remember: --server URL, --key KEYFILE or both.', {
      reason: 'nothing_to_set',
    });
  const config = readConfig();
  const profile = {
    ...config.profiles[global.profile],
    ...(server ? { server: parseServer(server) } : {}),
    ...(options.key ? { keyFile: resolve(options.key) } : {}),
  };
  config.profiles[global.profile] = profile;
  config.currentProfile ??= global.profile;
  writeConfig(config);
  print(global, { profile: global.profile, ...profile }, () =>
    [`Profile "${global.profile}":`, ...describeProfile(profile)].join('\n'),
  );
};

export const showProfile: ActionHandler = async (_options, command: Command) => {
  const global = globalOptions(command);
  const session = readKeptSession(global.profile);
  const usedSession = global.profileIdentity && session?.server === global.server ? session : undefined;
  const result = {
    configFile: configPath(),
    profile: global.profile,
    server: global.server,
    keyFile: global.as ?? null,
    sources: global.sources,
    session: usedSession ? { expiresAt: new Date(usedSession.expiresAt).toISOString() } : null,
  };
  print(global, result, () =>
    [
      `config file: ${result.configFile}`,
      `profile:     ${result.profile} (${sourceWords[global.sources.profile]})`,
      `gateway:     ${result.server} (${sourceWords[global.sources.server]})`,
      `key file:    ${result.keyFile ?? 'none: run `medledger login --key KEYFILE`'}${
        global.sources.as ? ` (${sourceWords[global.sources.as]})` : ''
      }`,
      `session:     ${usedSession ? `signed in until ${result.session?.expiresAt}` : 'none (the next command signs in)'}`,
    ].join('\n'),
  );
};

const sourceWords = {
  flag: 'from the command line',
  environment: 'from the environment',
  config: 'the current profile',
  profile: 'from the profile',
  default: 'the default',
} as const;

export const listProfiles: ActionHandler = async (_options, command: Command) => {
  const global = globalOptions(command);
  const config = readConfig();
  const profiles = Object.entries(config.profiles).map(([name, profile]) => ({
    name,
    current: name === global.profile,
    ...profile,
    signedIn: Boolean(readKeptSession(name)),
  }));
  print(global, { profiles }, () =>
    profiles.length
      ? profiles
          .map(
            (profile) =>
              `${profile.current ? '*' : ' '} ${profile.name}  ${profile.server ?? '(default gateway)'}  ${
                profile.keyFile ?? '(no key file)'
              }${profile.signedIn ? '  signed in' : ''}`,
          )
          .join('\n')
      : 'No profiles yet: `medledger login --server URL --key KEYFILE` makes one.',
  );
};

function existingProfile(name: string) {
  const profile = parseProfileName(name);
  const config = readConfig();
  if (!config.profiles[profile])
    throw new NotFoundError(`No profile "${profile}"; \`medledger config list\` shows them.`, {
      reason: 'profile_unknown',
    });
  return { profile, config };
}

export const useProfile: ActionHandler = async (name: string, _options, command: Command) => {
  const { profile, config } = existingProfile(name);
  config.currentProfile = profile;
  writeConfig(config);
  print(
    command.optsWithGlobals(),
    { currentProfile: profile },
    `Profile "${profile}" is now the current one.`,
  );
};

export const removeProfile: ActionHandler = async (name: string, _options, command: Command) => {
  const { profile } = existingProfile(name);
  const signedOut = await endKeptSession(profile);
  const config = readConfig();
  delete config.profiles[profile];
  if (config.currentProfile === profile) delete config.currentProfile;
  writeConfig(config);
  print(
    command.optsWithGlobals(),
    { removed: profile, signedOut },
    `Profile "${profile}" is forgotten${signedOut ? ' and its session ended' : ''}.`,
  );
};

function describeProfile(profile: { server?: string; keyFile?: string }): string[] {
  return [`  gateway:  ${profile.server ?? '(the default)'}`, `  key file: ${profile.keyFile ?? '(none)'}`];
}
