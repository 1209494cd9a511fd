/**
 * Multi-signature stamps: `record sign` (a co-signature), and `policy propose|approve|show` (which
 * roles must co-sign records of a category before they are final, decided by the consortium).
 */
import {
  consortiumVotes,
  createGatewayClient,
  type GatewayClient,
  type PolicyRequirementInput,
  type Stamp,
} from '@medledger/client';
import {
  type Category,
  categories,
  coSignatureRuleText,
  generateIdentity,
  InvalidInputError,
  isCategory,
  isRole,
  roles,
  votesText,
} from '@medledger/core';
import type { Command } from 'commander';
import type { Hex } from 'viem';
import { actorLabels, type NameOf } from '../actorLabels.ts';
import { clientFor, globalOptions, parseInteger } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

export const signRecord: ActionHandler = async (recordId: string, _options, command: Command) => {
  const client = await clientFor(command);
  const result = await client.coSignRecord(parseRecordId(recordId));
  const stamp = await client.stamp(result.recordId);
  const name = await actorLabels(client, stampSigners(stamp), globalOptions(command));
  print(globalOptions(command), { ...result, stamp }, () =>
    [`co-signed ${result.recordId} in block ${result.blockNumber}`, describeStamp(stamp, name)].join('\n'),
  );
};

export const proposePolicy: ActionHandler = async (options, command: Command) => {
  if (!isCategory(options.category)) {
    throw new InvalidInputError(
      `Unknown category "${options.category}"; use one of: ${categories.join(', ')}.`,
    );
  }
  const requirements = parseRequirements(options.require);
  const client = await clientFor(command);
  const result = await client.proposePolicy({
    category: options.category as Category,
    requirements,
    patient: Boolean(options.patient),
  });
  const votes = result.enacted ? '' : await policyVotes(client, result.proposalId);
  print(
    globalOptions(command),
    result,
    `policy proposal ${result.proposalId} ${result.enacted ? 'enacted' : `awaits the other organisations’ approval${votes}`}`,
  );
};

export const approvePolicy: ActionHandler = async (id: string, _options, command: Command) => {
  const client = await clientFor(command);
  const result = await client.approvePolicy(parseInteger(id, 'proposal id'));
  const votes = result.enacted ? '' : await policyVotes(client, result.proposalId);
  print(
    globalOptions(command),
    result,
    `policy proposal ${id} ${result.enacted ? 'enacted' : `approved; it needs more votes${votes}`}`,
  );
};

/** " (votes: 1 of 2 needed)" for a pending policy proposal, read from the consortium's open votes. */
async function policyVotes(client: GatewayClient, proposalId: number): Promise<string> {
  const open = (await consortiumVotes(client)).coSignaturePolicies.find((p) => p.proposalId === proposalId);
  return open ? ` (votes: ${votesText(open)})` : '';
}

export const showPolicy: ActionHandler = async (_options, command: Command) => {
  const global = globalOptions(command);
  // Policies are public: any identity reads them, none signs in.
  const client = createGatewayClient({ url: global.server, identity: generateIdentity() });
  const [{ policies }, { proposals }] = await Promise.all([client.policies(), client.policyProposals()]);
  const rule = coSignatureRuleText;
  print(global, { policies, proposals }, () =>
    [
      ...policies.filter((p) => p.version > 0).map((p) => `${p.category}\tversion ${p.version}\t${rule(p)}`),
      ...(policies.some((p) => p.version > 0) ? [] : ['no policy: every record is final once anchored']),
      ...proposals.map(
        (p) => `proposal ${p.proposalId}\t${p.status}\t${p.category}\t${rule(p)}\t${p.approvals} approval(s)`,
      ),
    ].join('\n'),
  );
};

/** The addresses that signed a stamp, to be shown by name. */
export function stampSigners(stamp: Stamp): string[] {
  return stamp.signers.map((signer) => signer.address);
}

/** "draft (1 signer): author lab Dr Ana Silva (doctor, St Mary)" */
export function describeStamp(stamp: Stamp, name: NameOf = (address) => address ?? ''): string {
  const signers = stamp.signers.map(
    (signer) =>
      `  ${signer.as === 'author' ? 'author   ' : 'co-signer'} ${signer.role}\t${name(signer.address)}\torganisation ${signer.organisationId}`,
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
