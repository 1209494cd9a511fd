import type { AccessRequested } from '@medledger/api';
import { type Action, actionMask, type Category, categoryMask, consentsTypes } from '@medledger/core';
import { type Address, keccak256, toBytes } from 'viem';
import type { Transport } from '../transport.ts';

export interface RequestAccessInput {
  patient: Address;
  categories: Category[];
  /** `read` by default. */
  actions?: Action[];
  /** Why, for the patient (the chain gets its hash). */
  reason?: string;
}

/**
 * As a member: asks a patient for access to records of some categories.
 *
 * @example
 * const { requestId } = await requestAccess(doctor, { patient, categories: ['lab'], reason: 'follow-up' });
 */
export async function requestAccess(client: Transport, input: RequestAccessInput): Promise<AccessRequested> {
  const reason = input.reason ?? '';
  const message = {
    requester: client.account.address,
    patient: input.patient,
    categories: categoryMask(input.categories),
    actions: actionMask(input.actions ?? ['read']),
    reasonHash: keccak256(toBytes(reason)),
  };
  const signed = await client.signAction('consents', consentsTypes, 'RequestAccess', message);
  return client.call<AccessRequested>('POST', '/api/access-requests', { ...message, reason, ...signed });
}
