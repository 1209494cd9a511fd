/**
 * The delegates area: a patient registers people who are not members of the consortium's organisations
 * (family, caregivers, researchers) as its delegates, whom it can then grant consents to (read only,
 * within each delegate's category limit), and removes them. Registrations and removals are signed by
 * the patient and relayed to the chain (`Delegates.sol`).
 */
import { delegateKinds } from '@medledger/core';
import type { ApiType } from './apiType.ts';
import {
  address,
  bytes32,
  category,
  object,
  signedFieldNames,
  signedFields,
  transactionResult,
  uint8,
  uint32,
} from './schemaParts.ts';

export const delegateKind = { type: 'string', enum: [...delegateKinds] } as const;

/** `POST /api/delegates`: a registration (or an update of a delegate's kind, limit or key), signed by the patient. */
export const addDelegateBody = object(
  {
    patient: address,
    delegate: address,
    kind: { ...uint8, description: '1 family, 2 caregiver, 3 researcher' },
    categoryLimit: {
      ...uint32,
      description: 'the categories the delegate may be granted at most, as a bitmask',
    },
    encryptionKey: { ...bytes32, description: 'the delegate’s X25519 public key (from its invitation)' },
    ...signedFields,
  },
  ['patient', 'delegate', 'kind', 'categoryLimit', 'encryptionKey', ...signedFieldNames],
);
export type AddDelegateBody = ApiType<typeof addDelegateBody>;

export const delegateAdded = object({ patient: address, delegate: address, ...transactionResult }, [
  'patient',
  'delegate',
  'transactionHash',
  'blockNumber',
]);
export type DelegateAdded = ApiType<typeof delegateAdded>;

/** `DELETE /api/delegates/:address`, signed by the patient; the delegate's grants stop applying. */
export const removeDelegateBody = object({ patient: address, ...signedFields }, [
  'patient',
  ...signedFieldNames,
]);
export type RemoveDelegateBody = ApiType<typeof removeDelegateBody>;

export const delegateRemoved = object(
  { patient: address, delegate: address, removed: { type: 'boolean', const: true }, ...transactionResult },
  ['patient', 'delegate', 'removed', 'transactionHash', 'blockNumber'],
);
export type DelegateRemoved = ApiType<typeof delegateRemoved>;

/** A delegate of a patient, as the gateway indexed it. */
export const delegate = object(
  {
    patient: address,
    delegate: address,
    kind: delegateKind,
    categoryLimit: { type: 'array', items: category },
    encryptionKey: bytes32,
    active: { type: 'boolean', description: 'false once the patient removed it' },
    addedAtBlock: { type: 'integer', description: 'the block of its latest registration' },
  },
  ['patient', 'delegate', 'kind', 'categoryLimit', 'encryptionKey', 'active', 'addedAtBlock'],
);
export type Delegate = ApiType<typeof delegate>;

/** `GET /api/delegates?patient=`: the patient's delegates, or a delegate's own entries. */
export const delegateList = object({ delegates: { type: 'array', items: delegate } }, ['delegates']);
export type DelegateList = ApiType<typeof delegateList>;

export const listDelegatesQuery = object({
  patient: {
    ...address,
    description: 'the patient whose delegates to list; without it, the caller’s own entries as a delegate',
  },
});
export type ListDelegatesQuery = ApiType<typeof listDelegatesQuery>;
