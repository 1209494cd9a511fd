/**
 * What operations read from a relayed transaction: its hash and block, whether it emitted an event,
 * and the id an event assigned (a grant's, a request's, an organisation's, a proposal's).
 */
import { MedledgerError } from '@medledger/core';
import type { SentTransaction } from '@medledger/ledger';
import type { Hex } from 'viem';
import type { GatewayServices } from '../gatewayServices.ts';

/** The transaction's hash and block, as every relaying operation answers them. */
export function transactionOf(sent: SentTransaction): { transactionHash: Hex; blockNumber: number } {
  return { transactionHash: sent.hash, blockNumber: Number(sent.blockNumber) };
}

/** Whether the transaction emitted `eventName`. */
export function emitted(sent: SentTransaction, eventName: string): boolean {
  return sent.events.some((event) => event.eventName === eventName);
}

/**
 * The id argument `argument` of the transaction's `eventName` event. The contracts emit it with every
 * successful call, so its absence means the deployment is not the one this gateway was built for.
 */
export function emittedId(sent: SentTransaction, eventName: string, argument: string): number {
  const event = sent.events.find((candidate) => candidate.eventName === eventName);
  const value = event?.args ? (event.args as Record<string, unknown>)[argument] : undefined;
  if (typeof value !== 'bigint' && typeof value !== 'number') {
    throw new MedledgerError(`The transaction emitted no ${eventName} event with a ${argument}.`, {
      reason: 'event_missing',
      details: sent.hash,
      fields: { eventName, transactionHash: sent.hash },
    });
  }
  return Number(value);
}

/** The votes two thirds of `active` organisations make (`TwoThirdsVote`). */
export function votesNeeded(active: number): number {
  return Math.ceil((active * 2) / 3);
}

/** The votes on a consortium proposal after one approval: how many there are and how many pass it. */
export interface Votes {
  approvals: number;
  approvalsNeeded: number;
}

/**
 * The votes after the approval `sent` made: its `eventName` event's `approvals`, and the two thirds of
 * the active organisations that pass a proposal (`TwoThirdsVote`). `activated` is whether the vote
 * made one more organisation active, which did not count when it passed.
 */
export async function votesAfter(
  services: GatewayServices,
  sent: SentTransaction,
  eventName: string,
  activated = false,
): Promise<Votes> {
  const active = Number(await services.ledger.read('consortium', 'activeOrganisationCount', []));
  return {
    approvals: emittedId(sent, eventName, 'approvals'),
    approvalsNeeded: Math.max(1, votesNeeded(active - (activated ? 1 : 0))),
  };
}
