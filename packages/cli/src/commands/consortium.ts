import { InvalidInputError, isOrganisationKind, isRole, organisationKinds, roles } from '@medledger/core';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { actingCommand, clientFor, globalOptions, parseAddress, parseInteger } from '../context.ts';
import { print } from '../output.ts';
import { registerEmergencyPrivilege } from './emergency.ts';

export function registerConsortium(program: Command): void {
  const org = program.command('org').description('Organisations of the consortium');
  actingCommand(
    org
      .command('create')
      .description(
        'Propose an organisation with you as its admin; the first one founds the consortium, later ones need two thirds of the active organisations to approve',
      )
      .requiredOption('--name <name>', 'organisation name')
      .requiredOption('--kind <kind>', `one of ${organisationKinds.join(', ')}`)
      .option('--gateway-url <url>', 'URL of the organisation’s gateway (default: --server)'),
  ).action(async (options, command: Command) => {
    if (!isOrganisationKind(options.kind)) {
      throw new InvalidInputError(
        `Unknown kind "${options.kind}"; use one of: ${organisationKinds.join(', ')}.`,
      );
    }
    const client = await clientFor(command);
    const result = await client.createOrganisation({
      name: options.name,
      kind: options.kind,
      gatewayUrl: options.gatewayUrl,
    });
    print(
      globalOptions(command),
      result,
      `organisation ${result.organisationId} "${options.name}" is ${result.status}`,
    );
  });

  actingCommand(
    org
      .command('approve')
      .description('Approve a pending organisation, as an admin of an active one')
      .argument('<organisationId>'),
  ).action(async (id: string, _options, command: Command) => {
    const result = await (await clientFor(command)).approveOrganisation(parseInteger(id, 'organisation id'));
    print(globalOptions(command), result, `organisation ${id} is ${result.status}`);
  });

  org
    .command('list')
    .description('List the organisations of the consortium')
    .action(async (_options, command: Command) => {
      const options = globalOptions(command);
      const response = await fetch(`${options.server.replace(/\/+$/, '')}/api/organisations`).catch(
        () => undefined,
      );
      if (!response?.ok) throw new InvalidInputError(`Cannot list organisations at ${options.server}.`);
      const result = (await response.json()) as {
        organisations: { organisationId: number; name: string; kind: string; status: string }[];
      };
      print(
        options,
        result,
        () =>
          result.organisations
            .map((o) => `${o.organisationId}\t${o.kind}\t${o.status}\t${o.name}`)
            .join('\n') || 'no organisations',
      );
    });

  actingCommand(
    org
      .command('set-gateway')
      .description(
        'As its admin, publish on chain where your organisation’s gateway is and the account it relays with',
      )
      .argument('<organisationId>')
      .option('--gateway-url <url>', 'the gateway’s public URL (default: --server)'),
  ).action(async (id: string, options, command: Command) => {
    const result = await (await clientFor(command)).publishGateway(parseInteger(id, 'organisation id'), {
      ...(options.gatewayUrl ? { gatewayUrl: options.gatewayUrl } : {}),
    });
    print(globalOptions(command), result, `organisation ${id} now publishes its gateway`);
  });

  const custody = program
    .command('custody')
    .description(
      'Key custody: which organisations hold shares of each record’s key, and how many a read needs',
    );
  custody
    .command('show')
    .description('The current custody: custodian organisations and threshold k')
    .action(async (_options, command: Command) => {
      const options = globalOptions(command);
      const response = await fetch(`${options.server.replace(/\/+$/, '')}/api/ledger`).catch(() => undefined);
      if (!response?.ok) throw new InvalidInputError(`Cannot reach the gateway at ${options.server}.`);
      const { custody: current } = (await response.json()) as {
        custody: { custodians: number[]; threshold: number; version: number };
      };
      print(options, current, () =>
        current.version
          ? `version ${current.version}: ${current.threshold} of organisations ${current.custodians.join(', ')}`
          : 'no custody configured yet: records are sealed to the patient’s organisation alone',
      );
    });
  actingCommand(
    custody
      .command('propose')
      .description(
        'Propose custodians and a threshold; takes effect when two thirds of the active organisations approve',
      )
      .requiredOption('--custodians <ids>', 'comma-separated organisation ids, e.g. 1,2,3')
      .requiredOption('--threshold <k>', 'how many custodians a read needs'),
  ).action(async (options, command: Command) => {
    const custodians = String(options.custodians)
      .split(',')
      .map((id) => parseInteger(id.trim(), 'organisation id'));
    const result = await (await clientFor(command)).proposeCustody(
      custodians,
      parseInteger(options.threshold, 'threshold'),
    );
    print(
      globalOptions(command),
      result,
      `custody proposal ${result.proposalId}${result.enacted ? ' is in effect' : ' awaits approvals'}`,
    );
  });
  actingCommand(
    custody.command('approve').description('Approve a custody proposal').argument('<proposalId>'),
  ).action(async (id: string, _options, command: Command) => {
    const result = await (await clientFor(command)).approveCustody(parseInteger(id, 'proposal id'));
    print(
      globalOptions(command),
      result,
      `custody proposal ${id}${result.enacted ? ' is in effect' : ' awaits more approvals'}`,
    );
  });

  const member = program.command('member').description('Members of organisations');
  actingCommand(
    member
      .command('add')
      .description('Register a member of your organisation (you must be its admin)')
      .requiredOption('--org <id>', 'organisation id')
      .requiredOption('--role <role>', `one of ${roles.join(', ')}`)
      .requiredOption('--address <address>', 'the member’s address (from `medledger key new`)')
      .requiredOption('--encryption-key <key>', 'the member’s encryption key (from `medledger key new`)'),
  ).action(async (options, command: Command) => {
    if (!isRole(options.role))
      throw new InvalidInputError(`Unknown role "${options.role}"; use one of: ${roles.join(', ')}.`);
    if (!/^0x[0-9a-fA-F]{64}$/.test(options.encryptionKey)) {
      throw new InvalidInputError('Invalid --encryption-key: expected 0x and 64 hex digits.');
    }
    const result = await (await clientFor(command)).addMember({
      organisationId: parseInteger(options.org, 'organisation id'),
      member: parseAddress(options.address),
      role: options.role,
      encryptionKey: options.encryptionKey.toLowerCase() as Hex,
    });
    print(
      globalOptions(command),
      result,
      `${result.address} is now a ${result.role} of organisation ${result.organisationId}`,
    );
  });

  actingCommand(
    member
      .command('suspend')
      .description('Suspend a member of your organisation (you must be its admin)')
      .argument('<address>'),
  ).action(async (address: string, _options, command: Command) => {
    const result = await (await clientFor(command)).suspendMember(parseAddress(address));
    print(globalOptions(command), result, `${result.address} is suspended`);
  });
  registerEmergencyPrivilege(member);

  const patient = program.command('patient').description('Patients');
  actingCommand(
    patient
      .command('register')
      .description(
        'Register yourself as a patient; your organisation keeps a custodian copy of your records’ keys',
      )
      .option('--org <id>', 'organisation to register with (default: the gateway’s own)'),
  ).action(async (options, command: Command) => {
    const client = await clientFor(command);
    const result = await client.registerPatient(
      options.org ? { organisationId: parseInteger(options.org, 'organisation id') } : {},
    );
    print(
      globalOptions(command),
      result,
      `patient ${result.address} registered with organisation ${result.organisationId}`,
    );
  });
}
