/**
 * The `medledger-gateway` command: `medledger start` as a program of its own, with the same
 * options. Exit codes as the CLI's: 0 success, 2 invalid input, 3 access denied, 1 anything else.
 */
import { InvalidInputError } from '@medledger/core';
import { Command, CommanderError } from 'commander';
import { type StartOptions, startDescription, withStartOptions } from './options.ts';
import { reportError } from './output.ts';

export function buildProgram(): Command {
  return withStartOptions(
    new Command('medledger-gateway')
      .description(startDescription)
      .version('0.1.0')
      .option('--json', 'answer in JSON'),
  )
    .showHelpAfterError()
    .exitOverride()
    .action(async (options: StartOptions & { json?: boolean }) => {
      // Loaded here so that --help and a wrong command line answer without the server's dependencies.
      const { runGateway } = await import('./start.ts');
      await runGateway(options, { json: options.json });
    });
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      // commander already printed what was wrong with the command line
      return reportError(new InvalidInputError('Invalid command line; see --help.'), json);
    }
    return reportError(error, json);
  }
}
