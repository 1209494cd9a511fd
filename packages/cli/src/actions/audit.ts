import {
  createGatewayClient,
  type GatewayClient,
  staffAttestation,
  verifyAuditTrail,
} from '@medledger/client';
import { IntegrityError, InvalidInputError, roleOfCode } from '@medledger/core';
import type { Command } from 'commander';
import { actorLabels } from '../actorLabels.ts';
import { clientFor, globalOptions, parseAddress, parseInteger } from '../context.ts';
import type { ActionHandler } from '../options.ts';
import { print } from '../output.ts';

const verificationWords = {
  verified: 'verified',
  'awaiting-anchor': 'awaiting anchor',
  problem: 'PROBLEM',
} as const;

/** An admin's audit is its organisation's activity by default: the organisation it administers, if any. */
async function ownOrganisationAsAdmin(client: GatewayClient): Promise<number | undefined> {
  const { member } = await client.me();
  return member?.active && roleOfCode(member.role) === 'admin' ? member.organisationId : undefined;
}

export const audit: ActionHandler = async (options, command: Command) => {
  const client = await clientFor(command);
  if (options.verify) {
    const { organisations } = await client.organisations();
    // One log per gateway, kept for the first active organisation that publishes it.
    const gateways = new Map<string, number>();
    for (const o of [...organisations].sort((a, b) => a.organisationId - b.organisationId)) {
      if (o.status === 'active' && !gateways.has(o.gatewayUrl)) gateways.set(o.gatewayUrl, o.organisationId);
    }
    const reports = await Promise.all(
      [...gateways].map(([url, organisationId]) =>
        verifyAuditTrail(
          // A member signs in at other organisations' gateways with its own gateway's attestation.
          createGatewayClient({
            url,
            identity: client.identity,
            attestation: () => staffAttestation(client),
          }),
          { organisationId },
        ),
      ),
    );
    const problems = reports.flatMap((report) =>
      report.problems.map((problem) => ({ gateway: report.gateway, ...problem })),
    );
    print(globalOptions(command), { ok: problems.length === 0, gateways: reports }, () =>
      [
        ...reports.flatMap((r) => [
          `${r.gateway}: ${r.events} events, ${r.anchored} verified against the chain, ${r.awaitingAnchor} awaiting anchoring; ` +
            `${r.leaves} anchored leaves searched for yours${r.recognisesOwnLeaves ? '' : ' (not possible: you are not a registered patient with this key)'}` +
            (r.problems.length ? `, ${r.problems.length} PROBLEM(S)` : ''),
          ...r.checked.map(
            (e) =>
              `  ${verificationWords[e.verification].padEnd(16)} #${e.sequence}  ${new Date(e.recordedAt).toISOString()}  ` +
              `${e.outcome.padEnd(7)} ${e.action.padEnd(6)} ${e.actor}  ${e.category ?? ''}  ${e.recordId ?? ''}`.trimEnd(),
          ),
        ]),
        ...problems.map((p) => `MISMATCH at ${p.gateway}: ${p.message}`),
        problems.length ? `${problems.length} problem(s) found` : 'your access history matches the chain',
      ].join('\n'),
    );
    if (problems.length)
      throw new IntegrityError(`Audit verification failed: ${problems.length} problem(s).`);
    return;
  }
  const organisation = options.org
    ? parseInteger(options.org, 'organisation id')
    : options.patient
      ? undefined
      : await ownOrganisationAsAdmin(client);
  const query = {
    ...(options.patient ? { patient: parseAddress(options.patient, 'patient') } : {}),
    ...(organisation ? { organisation } : {}),
    ...(options.refused ? { outcome: 'denied' as const } : {}),
  };
  // The gateway answers a page at a time: the newest --limit events, or every page.
  const result =
    options.limit === undefined
      ? { events: await client.auditAll(query) }
      : { events: (await client.audit({ ...query, limit: parsePageSize(options.limit) })).events };
  const name = await actorLabels(
    client,
    result.events.map((e) => e.actor),
    globalOptions(command),
  );
  print(globalOptions(command), result, () =>
    options.refused
      ? result.events
          .map(
            (e) =>
              `${e.recordedAt}  refused ${e.action.padEnd(6)} ${name(e.actor)}  ${e.category ?? ''}  why: ${e.reason ?? 'unknown'}`,
          )
          .join('\n') || 'no refused attempts'
      : result.events
          .map(
            (e) =>
              `${e.recordedAt}  ${e.outcome.padEnd(7)} ${e.action.padEnd(6)} ${name(e.actor)}  ${e.category ?? ''}  ${e.recordId ?? ''}`,
          )
          .join('\n') || 'no access events',
  );
};

/** `--limit`: 1 to 200, as one page of the gateway's answer. */
function parsePageSize(text: string): number {
  const limit = parseInteger(text, 'limit');
  if (limit < 1 || limit > 200) {
    throw new InvalidInputError('--limit takes 1 to 200 events; leave it out to list them all.', {
      reason: 'bad_page_size',
    });
  }
  return limit;
}
