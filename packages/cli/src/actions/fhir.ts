/**
 * `medledger fhir serve`: starts the FHIR server of `@medledger/fhir` with the client of --as,
 * prints its base URL (standard output; a JSON line with --json), and stops cleanly on SIGINT or
 * SIGTERM (in-flight requests finish, nothing new is accepted).
 */
import { createFhirServer } from '@medledger/fhir';
import type { Command } from 'commander';
import { clientFor, globalOptions, parseInteger } from '../context.ts';
import type { ActionHandler } from '../options.ts';

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

export const serveFhir: ActionHandler = async (options, command: Command) => {
  const output = globalOptions(command);
  const port = parseInteger(options.port, 'port');
  const host: string = options.host;
  const client = await clientFor(command);
  // Signing in first: a wrong key file or an unreachable gateway fails now, not at the first request.
  await client.signIn();
  const app = await createFhirServer({ client, purpose: options.purpose });
  if (!loopbackHosts.has(host)) {
    process.stderr.write(
      `WARNING: listening on ${host}, not on loopback: anyone who can reach it reads the decrypted health ` +
        `records of ${client.address} and writes records as them. There is no authentication in front of it; ` +
        'put it behind one (a TLS proxy with client authentication) or use --host 127.0.0.1.\n',
    );
  }
  // Signals are caught from before the URL is printed: whoever reads it may stop the server at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      app.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.listen({ host, port });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}/fhir`;
  process.stdout.write(
    output.json
      ? `${JSON.stringify({ baseUrl: base, as: client.address })}\n`
      : `FHIR server for ${client.address} at ${base}\n`,
  );
  await stopped;
};
