/**
 * Delegates: a patient registers people who are not members of the consortium's organisations
 * (family, caregivers, researchers) as its delegates, and removes them; both are signed by the patient
 * and relayed. A patient lists its delegates; a delegate lists its own entries (which patients
 * delegated to it). Lists come from the gateway's index of the chain; what a delegate may read is
 * decided by the chain for each access (`accessControl.ts`, `Consents.sol`).
 */
import type {
  AddDelegateBody,
  Delegate,
  DelegateAdded,
  DelegateList,
  DelegateRemoved,
  ListDelegatesQuery,
  RemoveDelegateBody,
} from '@medledger/api';
import { AccessDeniedError, categoriesOfMask, delegateKindOfCode } from '@medledger/core';
import { type Address, isAddressEqual } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import type { DelegateRow } from '../store/gatewayStore.ts';
import { transactionOf } from './sentTransactions.ts';
import { requireSigner, signedArgs } from './signedActions.ts';
import { knownName } from './vocabularyCodes.ts';

/**
 * Relays a patient's registration of a delegate (or the update of its kind, limit or key). The chain
 * refuses a member, a patient, an unknown kind or an empty limit (reasons `delegates_*`).
 *
 * @example
 * await addDelegate(services, session, { patient, delegate, kind: 1, categoryLimit, encryptionKey, ...signed });
 */
export async function addDelegate(
  services: GatewayServices,
  session: Session,
  input: AddDelegateBody,
): Promise<DelegateAdded> {
  const patient = requireSigner(session, input.patient, 'delegate registration');
  const sent = await services.ledger.write('delegates', 'addDelegate', [
    patient,
    input.delegate,
    input.kind,
    input.categoryLimit,
    input.encryptionKey,
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  return { patient, delegate: input.delegate, ...transactionOf(sent) };
}

/** Relays a patient's removal of its delegate: the grants it made to it stop applying from that block. */
export async function removeDelegate(
  services: GatewayServices,
  session: Session,
  input: RemoveDelegateBody & { delegate: Address },
): Promise<DelegateRemoved> {
  const patient = requireSigner(session, input.patient, 'delegate removal');
  const sent = await services.ledger.write('delegates', 'removeDelegate', [
    patient,
    input.delegate,
    ...signedArgs(input),
  ]);
  await services.indexer.sync();
  return { patient, delegate: input.delegate, removed: true, ...transactionOf(sent) };
}

/**
 * The patient's delegates (to the patient), or the caller's own entries as a delegate: all of them
 * without `patient`, or the one of `patient`. Anyone else is refused (reason `not_patient_or_delegate`).
 */
export async function listDelegates(
  services: GatewayServices,
  session: Session,
  query: ListDelegatesQuery,
): Promise<DelegateList> {
  const me = session.address;
  const patient = query.patient;
  if (patient && isAddressEqual(patient, me)) {
    return { delegates: (await services.store.delegatesOfPatient(me)).map(describeDelegate) };
  }
  const own = await services.store.delegationsTo(me);
  if (!patient) return { delegates: own.map(describeDelegate) };
  const ofPatient = own.filter((row) => isAddressEqual(row.patient, patient));
  if (ofPatient.length === 0) {
    throw new AccessDeniedError(`Only patient ${patient} and its delegates see its delegates.`, {
      reason: 'not_patient_or_delegate',
    });
  }
  return { delegates: ofPatient.map(describeDelegate) };
}

/** A delegate as the API answers it: its kind and category limit by name. */
function describeDelegate(row: DelegateRow): Delegate {
  return {
    patient: row.patient,
    delegate: row.delegate,
    kind: knownName(delegateKindOfCode(row.kind), 'delegate kind', row.kind),
    categoryLimit: categoriesOfMask(row.categoryLimit),
    encryptionKey: row.encryptionKey,
    active: row.active,
    addedAtBlock: row.addedAtBlock,
  };
}
