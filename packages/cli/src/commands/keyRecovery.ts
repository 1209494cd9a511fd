/**
 * `medledger key backup` and `medledger key recover start|pending|approve|finish`: a patient's keys
 * split among guardians, and recovered on a new device with k of them.
 */
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/keyRecovery.ts');

export function registerKeyRecovery(key: Command): void {
  actingCommand(
    key
      .command('backup')
      .description(
        'As a patient, split a backup of your keys among guardians (members or patients), any K of whom can ' +
          'give them back to you on a new device; fewer learn nothing. Replaces your previous backup.',
      )
      .requiredOption('--guardians <addresses>', 'comma-separated addresses of 2 to 16 guardians')
      .requiredOption('--threshold <k>', 'how many guardians recover the keys (2 to their number)'),
  ).action(lazyAction(load, 'backUp'));

  const recover = key
    .command('recover')
    .description('Recover your keys on a new device with the help of your guardians');

  recover
    .command('start')
    .description(
      'On a new device: ask your guardians for your keys. Prints a request id and a verification code to tell ' +
        'each guardian yourself; keeps the request’s secrets in OUT.recovery until `finish`.',
    )
    .requiredOption('--patient <address>', 'your patient address')
    .requiredOption('--out <file>', 'where `finish` will write your recovered key file (must not exist)')
    .action(lazyAction(load, 'startRecovery'));

  actingCommand(
    recover
      .command('pending')
      .description('As a guardian: the open recovery requests for backups you hold a share of'),
  ).action(lazyAction(load, 'pendingRecoveries'));

  actingCommand(
    recover
      .command('approve')
      .description(
        'As a guardian: give your share of a patient’s key backup to the device that made this request. Only ' +
          'if the code the patient told you matches the request; prints what you approved.',
      )
      .argument('<requestId>')
      .requiredOption('--code <code>', 'the verification code the patient told you (not one you read here)'),
  ).action(lazyAction(load, 'approveRecovery'));

  recover
    .command('finish')
    .description(
      'On the new device: rebuild your keys from your guardians’ shares and write them to OUT (mode 0600, ' +
        'never overwritten). Needs K approvals.',
    )
    .argument('<requestId>')
    .requiredOption('--out <file>', 'the key file to write (the one given to `start`)')
    .action(lazyAction(load, 'finishRecovery'));
}
