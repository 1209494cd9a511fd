import type { Command } from 'commander';
import { createKeyFile } from '../keyFile.ts';
import { print } from '../output.ts';
import { registerKeyRecovery } from './keyRecovery.ts';
import { registerKeyRotation } from './keyRotation.ts';

export function registerKeys(program: Command): void {
  const key = program.command('key').description('Local key files');
  key
    .command('new')
    .description('Create a new identity (signing and encryption keys) in a key file only you can read')
    .requiredOption('--out <file>', 'where to write the key file (never overwritten)')
    .action(async (options, command: Command) => {
      const identity = await createKeyFile(options.out);
      const result = {
        address: identity.address,
        encryptionKey: identity.encryption.publicKey,
        file: options.out,
      };
      print(command.optsWithGlobals(), result, () =>
        [
          `address:        ${result.address}`,
          `encryptionKey:  ${result.encryptionKey}`,
          `key file:       ${options.out}`,
        ].join('\n'),
      );
    });
  registerKeyRecovery(key);
  registerKeyRotation(key);
}
