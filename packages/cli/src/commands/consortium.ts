import { organisationKinds, roles } from '@medledger/core/vocabulary';
import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';
import { registerEmergencyPrivilege } from './emergency.ts';

const load = () => import('../actions/consortium.ts');

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
  ).action(lazyAction(load, 'createOrganisation'));

  actingCommand(
    org
      .command('approve')
      .description('Approve a pending organisation, as an admin of an active one')
      .argument('<organisationId>'),
  ).action(lazyAction(load, 'approveOrganisation'));

  org
    .command('list')
    .description('List the organisations of the consortium')
    .action(lazyAction(load, 'listOrganisations'));

  actingCommand(
    org
      .command('set-gateway')
      .description(
        'As its admin, publish on chain where your organisation’s gateway is and the account it relays with',
      )
      .argument('<organisationId>')
      .option('--gateway-url <url>', 'the gateway’s public URL (default: --server)'),
  ).action(lazyAction(load, 'setGateway'));

  const custody = program
    .command('custody')
    .description(
      'Key custody: which organisations hold shares of each record’s key, and how many a read needs',
    );
  custody
    .command('show')
    .description('The current custody: custodian organisations and threshold k')
    .action(lazyAction(load, 'showCustody'));
  actingCommand(
    custody
      .command('propose')
      .description(
        'Propose custodians and a threshold; takes effect when two thirds of the active organisations approve',
      )
      .requiredOption('--custodians <ids>', 'comma-separated organisation ids, e.g. 1,2,3')
      .requiredOption('--threshold <k>', 'how many custodians a read needs'),
  ).action(lazyAction(load, 'proposeCustody'));
  actingCommand(
    custody.command('approve').description('Approve a custody proposal').argument('<proposalId>'),
  ).action(lazyAction(load, 'approveCustody'));

  const member = program.command('member').description('Members of organisations');
  actingCommand(
    member
      .command('add')
      .description('Register a member of your organisation (you must be its admin)')
      .requiredOption('--org <id>', 'organisation id')
      .requiredOption('--role <role>', `one of ${roles.join(', ')}`)
      .requiredOption('--address <address>', 'the member’s address (from `medledger key new`)')
      .requiredOption('--encryption-key <key>', 'the member’s encryption key (from `medledger key new`)')
      .option('--name <name>', 'the member’s display name, shown to everyone instead of its address')
      .option('--title <title>', 'its title, e.g. Dr (with --name)')
      .option('--department <department>', 'its department (with --name)'),
  ).action(lazyAction(load, 'addMember'));

  actingCommand(
    member
      .command('profile')
      .description(
        'Set the public profile (name, title, department) of a member of your organisation (you must be its admin)',
      )
      .argument('<address>')
      .requiredOption('--name <name>', 'the member’s display name')
      .option('--title <title>', 'its title, e.g. Dr')
      .option('--department <department>', 'its department'),
  ).action(lazyAction(load, 'setMemberProfile'));

  actingCommand(
    member
      .command('list')
      .description('List the members of an organisation (you must be one of them)')
      .requiredOption('--org <id>', 'organisation id'),
  ).action(lazyAction(load, 'listMembers'));

  actingCommand(
    member
      .command('suspend')
      .description('Suspend a member of your organisation (you must be its admin)')
      .argument('<address>'),
  ).action(lazyAction(load, 'suspendMember'));
  registerEmergencyPrivilege(member);

  const patient = program.command('patient').description('Patients');
  actingCommand(
    patient
      .command('register')
      .description(
        'Register yourself as a patient; your organisation keeps a custodian copy of your records’ keys',
      )
      .option('--org <id>', 'organisation to register with (default: the gateway’s own)'),
  ).action(lazyAction(load, 'registerPatient'));
}
