import type { Command } from 'commander';
import { lazyAction } from '../options.ts';
import { registerKeyRecovery } from './keyRecovery.ts';
import { registerKeyRotation } from './keyRotation.ts';

const load = () => import('../actions/keys.ts');

export function registerKeys(program: Command): void {
  const key = program.command('key').description('Local key files');
  key
    .command('new')
    .description('Create a new identity (signing and encryption keys) in a key file only you can read')
    .requiredOption('--out <file>', 'where to write the key file (never overwritten)')
    .action(lazyAction(load, 'newKey'));
  registerKeyRecovery(key);
  registerKeyRotation(key);
}
