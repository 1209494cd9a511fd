/**
 * `medledger key rotate`: a patient moves to new keys and keeps its address, records and consents.
 */
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/keyRotation.ts');

export function registerKeyRotation(key: Command): void {
  actingCommand(
    key
      .command('rotate')
      .description(
        'As a patient, move to new keys written to OUT: your address, records and consents stay yours, the key ' +
          'in --as signs nothing more, and your records are checked readable with the new keys',
      )
      .requiredOption('--out <file>', 'where to write the new key file (never overwritten)'),
  ).action(lazyAction(load, 'rotateKeys'));
}
