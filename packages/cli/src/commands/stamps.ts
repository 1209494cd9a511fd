/**
 * Multi-signature stamps: `record sign` (a co-signature), and `policy propose|approve|show` (which
 * roles must co-sign records of a category before they are final, decided by the consortium).
 */
import { createGatewayClient, type PolicyRequirementInput, type Stamp } from '@medledger/client';
import {
  type Category,
  categories,
  generateIdentity,
  InvalidInputError,
  isCategory,
  isRole,
  roles,
} from '@medledger/core';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { actingCommand, clientFor, globalOptions, parseInteger } from '../context.ts';
import { print } from '../output.ts';

export function registerStamps(program: Command): void {
  const record = program.commands.find((command) => command.name() === 'record');
  if (!record) throw new Error('register the record commands first');
  actingCommand(
    record
      .command('sign')
      .description(
        'Co-sign a record (multi-signature stamp): read and check it, then sign its id and content digest; ' +
          'for its patient and for members who may read it',
      )
      .argument('<recordId>'),
  ).action(async (recordId: string, _options, command: Command) => {
    const client = await clientFor(command);
    const result = await client.coSignRecord(parseRecordId(recordId));
    const stamp = await client.stamp(result.recordId);
    print(globalOptions(command), { ...result, stamp }, () =>
      [`co-signed ${result.recordId} in block ${result.blockNumber}`, describeStamp(stamp)].join('\n'),
    );
  });

  const policy = program
    .command('policy')
    .description(
      'Co-signature policies: which roles must co-sign a category’s records before they are final',
    );

  actingCommand(
    policy
      .command('propose')
      .description(
        'As an organisation admin, propose the policy of a category; in force once two thirds of the active ' +
          'organisations approve, for records anchored afterwards',
      )
      .requiredOption('--category <category>', `one of ${categories.join(', ')}`)
      .option(
        '--require <list>',
        'comma-separated ROLE:COUNT[:same-org], e.g. lab:1,doctor:1 or doctor:2:same-org ' +
          `(roles: ${roles.join(', ')}; same-org: only signers of the author’s organisation count)`,
        '',
      )
      .option('--patient', 'the record’s patient must co-sign too'),
  ).action(async (options, command: Command) => {
    if (!isCategory(options.category)) {
      throw new InvalidInputError(
        `Unknown category "${options.category}"; use one of: ${categories.join(', ')}.`,
      );
    }
    const requirements = parseRequirements(options.require);
    const result = await (await clientFor(command)).proposePolicy({
      category: options.category as Category,
      requirements,
      patient: Boolean(options.patient),
    });
    print(
      globalOptions(command),
      result,
      `policy proposal ${result.proposalId} ${result.enacted ? 'enacted' : 'awaits the other organisations’ approval'}`,
    );
  });

  actingCommand(
    policy
      .command('approve')
      .description('As an organisation admin, approve a policy proposal')
      .argument('<proposalId>'),
  ).action(async (id: string, _options, command: Command) => {
    const result = await (await clientFor(command)).approvePolicy(parseInteger(id, 'proposal id'));
    print(
      globalOptions(command),
      result,
      `policy proposal ${id} ${result.enacted ? 'enacted' : 'approved; it needs more votes'}`,
    );
  });

  policy
    .command('show')
    .description('The policy in force for each category, and the proposals')
    .action(async (_options, command: Command) => {
      const global = globalOptions(command);
      // Policies are public: any identity reads them, none signs in.
      const client = createGatewayClient({ url: global.server, identity: generateIdentity() });
      const [{ policies }, { proposals }] = await Promise.all([client.policies(), client.policyProposals()]);
      const rule = (p: {
        requirements: { role: string; count: number; sameOrganisation: boolean }[];
        patient: boolean;
      }) =>
        [
          ...p.requirements.map(
            (r) => `${r.count} ${r.role}${r.sameOrganisation ? ' (author’s organisation)' : ''}`,
          ),
          ...(p.patient ? ['the patient'] : []),
        ].join(' + ') || 'no co-signature';
      print(global, { policies, proposals }, () =>
        [
          ...policies
            .filter((p) => p.version > 0)
            .map((p) => `${p.category}\tversion ${p.version}\t${rule(p)}`),
          ...(policies.some((p) => p.version > 0) ? [] : ['no policy: every record is final once anchored']),
          ...proposals.map(
            (p) =>
              `proposal ${p.proposalId}\t${p.status}\t${p.category}\t${rule(p)}\t${p.approvals} approval(s)`,
          ),
        ].join('\n'),
      );
    });
}

/** "draft (1 signer): author lab 0x…" */
export function describeStamp(stamp: Stamp): string {
  const signers = stamp.signers.map(
    (signer) =>
      `  ${signer.as === 'author' ? 'author   ' : 'co-signer'} ${signer.role}\t${signer.address}\torganisation ${signer.organisationId}`,
  );
  return [`status: ${stamp.status} (policy version ${stamp.policyVersion})`, ...signers].join('\n');
}

function parseRecordId(value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new InvalidInputError('Invalid record id: expected 0x and 64 hex digits.');
  }
  return value.toLowerCase() as Hex;
}

function parseRequirements(value: string): PolicyRequirementInput[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const [role = '', count = '', scope, ...rest] = item.split(':');
      if (
        !isRole(role) ||
        !/^\d{1,2}$/.test(count) ||
        (scope !== undefined && scope !== 'same-org') ||
        rest.length
      ) {
        throw new InvalidInputError(
          `Invalid requirement "${item}": expected ROLE:COUNT or ROLE:COUNT:same-org, roles ${roles.join(', ')}.`,
        );
      }
      return { role, count: Number(count), sameOrganisation: scope === 'same-org' };
    });
}
