/**
 * `medledger start`: the CLI does not host a gateway itself; this command hands its options to
 * `@medledger/gateway` (what `medledger-gateway` runs), loaded only when the command runs.
 */
import { type StartOptions, startDescription, withStartOptions } from '@medledger/gateway/options';
import type { Command } from 'commander';
import { ReportedError } from '../options.ts';

/** The line that points this CLI at a started gateway. */
export function cliUsage({ url, keyFile }: { url: string; keyFile?: string }): string {
  return (
    `Use the CLI with it: medledger login --server ${url} --key ${keyFile ?? 'KEYFILE'}` +
    `${keyFile ? '' : ' (a key file from `medledger key new`)'}; or for one shell: export MEDLEDGER_SERVER=${url}`
  );
}

export function registerStart(program: Command): void {
  withStartOptions(program.command('start').description(startDescription)).action(
    async (options: StartOptions, command: Command) => {
      const json = command.optsWithGlobals<{ json?: boolean }>().json;
      // Loaded here so that every other command starts without the server's dependencies.
      const { reportError, runGateway } = await import('@medledger/gateway');
      try {
        await runGateway(options, { ...(json ? { json } : {}), usage: cliUsage });
      } catch (error) {
        // Reported by the gateway's own copy of the error classes: the bundled CLI (scripts/build.ts)
        // has another, which `instanceof` would not recognise its errors by.
        throw new ReportedError(reportError(error, Boolean(json)));
      }
    },
  );
}
