/** `medledger fhir serve`: a FHIR R4 REST server acting as one user, where that user's key is. */
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';

const load = () => import('../actions/fhir.ts');

export function registerFhir(program: Command): void {
  const fhir = program.command('fhir').description('FHIR R4 for the rest of the world');
  actingCommand(
    fhir
      .command('serve')
      .description(
        'Serve a FHIR R4 REST API (JSON) at http://HOST:PORT/fhir, acting as the identity of --as through the ' +
          'gateway: records are listed, read and written with your keys, encrypted and decrypted here; the gateway ' +
          'never sees them in clear and decides (and audits) what you may see. Read, vread, history, search in the ' +
          'patient compartment, create, update, transaction and batch Bundles, Patient/$everything; see ' +
          '/fhir/metadata. It serves decrypted health data to whoever reaches it: it listens on 127.0.0.1 unless ' +
          '--host says otherwise. Prints its base URL once listening; stops on Ctrl-C (SIGINT) or SIGTERM.',
      )
      .requiredOption('--port <port>', 'TCP port to listen on (0: any free port)')
      .option(
        '--host <host>',
        'address to listen on (anything but loopback exposes decrypted health data)',
        '127.0.0.1',
      )
      .option('--purpose <code>', 'purpose of use of every read (HL7 ActReason, e.g. TREAT)', 'TREAT'),
  ).action(lazyAction(load, 'serveFhir'));
}
