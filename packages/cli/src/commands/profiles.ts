import type { Command } from 'commander';
import { lazyAction } from '../options.ts';

const load = () => import('../actions/profiles.ts');

const otpHelp =
  'your one-time code at sign-in, when your organisation’s policy or your enrolment asks for one (asked for when run in a terminal)';

/**
 * `login`, `logout` and `config`: the profiles the CLI remembers (a gateway and a key file), so that
 * commands need neither `--server` nor `--as`, and each profile's session, so that a one-time code
 * is asked for only when the CLI signs in again.
 */
export function registerProfiles(program: Command): void {
  program
    .command('login')
    .description(
      'Sign in, and remember in the profile (--profile, else the current one, else "default") the gateway (--server) and the key ' +
        'file (--key; its path, never the key) for every later command, with the session until it ends',
    )
    .option('--key <keyfile>', 'the key file that acts (from `medledger key new`); the profile’s if omitted')
    .option('--otp <code>', otpHelp)
    .action(lazyAction(load, 'login'));

  program
    .command('logout')
    .description('End the profile’s session at the gateway and forget it (the profile itself stays)')
    .action(lazyAction(load, 'logout'));

  const config = program
    .command('config')
    .description(
      'The CLI’s profiles: which gateway and key file each uses (file: $MEDLEDGER_CONFIG, else ~/.config/medledger/config.json)',
    );
  config
    .command('set')
    .description(
      'Remember --server and --key in the profile (--profile, default the current one) without signing in',
    )
    .option('--key <keyfile>', 'the key file that acts')
    .action(lazyAction(load, 'setProfile'));
  config
    .command('show')
    .description(
      'What the next command will use: profile, gateway, key file (and where each comes from), session',
    )
    .action(lazyAction(load, 'showProfile'));
  config
    .command('list')
    .description('The profiles, the current one marked')
    .action(lazyAction(load, 'listProfiles'));
  config
    .command('use')
    .description('Make a profile the current one (the one used without --profile or MEDLEDGER_PROFILE)')
    .argument('<name>')
    .action(lazyAction(load, 'useProfile'));
  config
    .command('remove')
    .description('Forget a profile and end its session')
    .argument('<name>')
    .action(lazyAction(load, 'removeProfile'));
}
