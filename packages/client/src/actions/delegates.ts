import type { DelegateAdded, DelegateList, DelegateRemoved } from '@medledger/api';
import {
  type Category,
  categoryMask,
  type DelegateKind,
  delegateKindCode,
  delegatesTypes,
  categories as everyCategory,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { Transport } from '../transport.ts';

export interface AddDelegateParameters {
  /** The delegate's address, from its invitation. */
  delegate: Address;
  kind: DelegateKind;
  /** The delegate's X25519 public encryption key, from its invitation: keys of what it is granted are sealed to it. */
  encryptionKey: Hex;
  /** The categories it may be granted at most; every category when left out. */
  categories?: Category[];
}

/**
 * As the patient: registers someone who is not a member of an organisation (family, a caregiver, a
 * researcher) as a delegate, whom it can then grant consents to (read only, within `categories`);
 * registering it again updates its kind, limit and key. Resolves once it is in a block.
 *
 * @example
 * await addDelegate(patient, { delegate, kind: 'family', encryptionKey, categories: ['medication'] });
 */
export async function addDelegate(client: Transport, input: AddDelegateParameters): Promise<DelegateAdded> {
  const message = {
    patient: client.account.address,
    delegate: input.delegate,
    kind: delegateKindCode(input.kind),
    categoryLimit: categoryMask(input.categories ?? [...everyCategory]),
    encryptionKey: input.encryptionKey,
  };
  const signed = await client.signAction('delegates', delegatesTypes, 'AddDelegate', message);
  return client.call<DelegateAdded>('POST', '/api/delegates', { ...message, ...signed });
}

/**
 * As the patient: removes a delegate; the grants it made to it stop applying from that block, even if
 * it registers the delegate again later.
 *
 * @example
 * await removeDelegate(patient, delegate);
 */
export async function removeDelegate(client: Transport, delegate: Address): Promise<DelegateRemoved> {
  const patient = client.account.address;
  const signed = await client.signAction('delegates', delegatesTypes, 'RemoveDelegate', {
    patient,
    delegate,
  });
  return client.call<DelegateRemoved>('DELETE', `/api/delegates/${delegate}`, { patient, ...signed });
}

/**
 * A patient's delegates (as that patient), or this identity's own entries as a delegate: all of them
 * without `patient`, or the one of `patient`.
 *
 * @example
 * const { delegates } = await listDelegates(patient, patient.address);
 */
export function listDelegates(client: Transport, patient?: Address): Promise<DelegateList> {
  return client.call<DelegateList>('GET', patient ? `/api/delegates?patient=${patient}` : '/api/delegates');
}
