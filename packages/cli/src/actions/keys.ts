import type { Command } from 'commander';
import { createKeyFile } from '../keyFile.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

export const newKey: ActionHandler = async (options, command: Command) => {
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
};
