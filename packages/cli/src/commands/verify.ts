import type { Command } from 'commander';
import { lazyAction } from '../options.ts';

const load = () => import('../actions/verify.ts');

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'Check from the chain that every anchored record (or one) is intact: author signatures, co-signatures, ' +
        'stored leaf hashes, blob hashes and block links; and that every record the gateway has indexed is ' +
        'anchored on the chain as indexed (missing-on-chain, anchor-mismatch). Exits non-zero on any mismatch.',
    )
    .option('--record <recordId>', 'check only this record')
    .option('--rpc <url>', 'the chain to check against (default: the one the gateway names)')
    .action(lazyAction(load, 'verify'));
}
