import type { Command } from 'commander';
import { actingCommand, lazyAction } from '../options.ts';
import { listOptions } from './orders.ts';

const load = () => import('../actions/claims.ts');

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerClaims(program: Command): void {
  const claim = program
    .command('claim')
    .description(
      'Insurance claims: after an encounter the hospital claims from the patient’s insurer under the patient’s consent, and the insurer approves, partly approves or denies',
    );

  actingCommand(
    claim
      .command('coverage')
      .description(
        'Record who insures a patient (a FHIR Coverage, an insurance record of the patient): the patient for themself, or a member with the patient’s consent to add insurance records',
      )
      .requiredOption('--insurer <organisationId>', 'the insurer organisation (see `medledger org list`)')
      .option('--member-id <id>', 'the number the insurer knows the patient by')
      .option('--patient <address>', 'the patient (default: you)'),
  ).action(lazyAction(load, 'addCoverage'));

  actingCommand(
    claim
      .command('submit')
      .description(
        'As a member of a hospital, claim from a patient’s insurer (a FHIR Claim, an insurance record of the patient: refused without the patient’s consent to add insurance records); names the patient’s Coverage when you may read it',
      )
      .requiredOption('--patient <address>', 'the patient')
      .requiredOption('--insurer <organisationId>', 'the insurer organisation')
      .requiredOption(
        '--item <CODE:DESCRIPTION:AMOUNT>',
        'a billed service, e.g. "99213:Consultation:80" (repeat for more)',
        collect,
      )
      .option('--currency <code>', 'ISO 4217 currency of the amounts', 'EUR')
      .option('--encounter <recordId>', 'the Encounter record the services were given in')
      .option('--coverage <recordId>', 'the patient’s Coverage record (default: found among their records)'),
  ).action(lazyAction(load, 'submitClaim'));

  actingCommand(
    listOptions(
      claim
        .command('list')
        .description(
          'List claims with their status, amounts and decision: by default an insurer’s worklist for an insurer’s member, those your hospital submitted for others, your own for a patient',
        ),
      'an insurer',
    ),
  ).action(lazyAction(load, 'listClaims'));

  actingCommand(
    claim
      .command('show')
      .description(
        'Show a claim: status, items and amounts, the decision with what is paid per item, each step with its date (for its patient, the hospital, the insurer)',
      )
      .argument('<orderId>'),
  ).action(lazyAction(load, 'showClaim'));

  for (const [name, action, description] of [
    ['accept', 'acceptClaim', 'As a member of the claim’s insurer, mark it received'],
    ['start', 'startClaim', 'As a member of the claim’s insurer, mark it in review'],
    [
      'reject',
      'rejectClaim',
      'As a member of the claim’s insurer, refuse to process it without a decision (a denial is `claim respond --outcome denied`)',
    ],
    ['cancel', 'cancelClaim', 'As the member who submitted it or the patient, withdraw an open claim'],
  ] as const) {
    actingCommand(claim.command(name).description(description).argument('<orderId>')).action(
      lazyAction(load, action),
    );
  }

  actingCommand(
    claim
      .command('respond')
      .description(
        'As a member of the claim’s insurer, decide it: a ClaimResponse (outcome, amounts per item, total paid) anchored with the claim’s completion in one transaction',
      )
      .argument('<orderId>')
      .requiredOption('--outcome <outcome>', 'approved, partial or denied')
      .option(
        '--amount <amount>',
        'what the insurer pays in all (needed for partial; default: all if approved, nothing if denied)',
      )
      .option('--reason <text>', 'why, shown to the hospital and the patient'),
  ).action(lazyAction(load, 'respondToClaim'));
}
