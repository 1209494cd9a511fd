/**
 * `medledger start`: the CLI does not host a gateway itself; this command hands its options to
 * `@medledger/gateway` (what `medledger-gateway` runs), loaded only when the command runs.
 */
import { type StartOptions, startDescription, withStartOptions } from '@medledger/gateway/options';
import type { Command } from 'commander';

export function registerStart(program: Command): void {
  withStartOptions(program.command('start').description(startDescription)).action(
    async (options: StartOptions, command: Command) => {
      // Loaded here so that every other command starts without the server's dependencies.
      const { runGateway } = await import('@medledger/gateway');
      await runGateway(options, { json: command.optsWithGlobals<{ json?: boolean }>().json });
    },
  );
}
