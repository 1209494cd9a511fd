/**
 * The record lifecycle area: erasing records (crypto-shredding: every gateway destroys the blob and
 * refuses the keys), hiding (soft-deleting) and showing them again. Each action is signed by its actor
 * for the RecordActions contract and relayed by the gateway; the gateway adds the records' anchored fields.
 */
import type { ApiType } from './apiType.ts';
import { address, bytes32, object, signedFieldNames, signedFields, uint8, uint64 } from './schemaParts.ts';

/** One signed `Erasure` (reason 1 the patient's request, 2 entered in error). */
export const signedErasure = object(
  { recordId: bytes32, by: address, reason: { ...uint8, enum: [1, 2] }, ...signedFields },
  ['recordId', 'by', 'reason', ...signedFieldNames],
);
export type SignedErasure = ApiType<typeof signedErasure>;

/** `POST /api/records/erase`: erasures all signed by the caller, sent in one transaction. */
export const eraseRecordsBody = object(
  { erasures: { type: 'array', items: signedErasure, minItems: 1, maxItems: 100 } },
  ['erasures'],
);
export type EraseRecordsBody = ApiType<typeof eraseRecordsBody>;

/** `POST /api/records/erase`: the records erased, and where. */
export const recordsErased = object(
  {
    recordIds: { type: 'array', items: bytes32 },
    transactionHash: bytes32,
    blockNumber: { type: 'integer' },
  },
  ['recordIds', 'transactionHash', 'blockNumber'],
);
export type RecordsErased = ApiType<typeof recordsErased>;

/** `POST /api/records/:id/hide`: a signed `Hide` of the record in the path. */
export const hideRecordBody = object(
  {
    by: address,
    retainUntil: {
      ...uint64,
      description: 'unix seconds after which the record is erased; 0: never by retention',
    },
    ...signedFields,
  },
  ['by', 'retainUntil', ...signedFieldNames],
);
export type HideRecordBody = ApiType<typeof hideRecordBody>;

/** `POST /api/records/:id/unhide`: the patient's signed `Unhide` of the record in the path. */
export const unhideRecordBody = object({ by: address, ...signedFields }, ['by', ...signedFieldNames]);
export type UnhideRecordBody = ApiType<typeof unhideRecordBody>;

/** `POST /api/records/:id/hide` and `/unhide`: the transaction that did it. */
export const recordLifecycleChanged = object(
  { recordId: bytes32, transactionHash: bytes32, blockNumber: { type: 'integer' } },
  ['recordId', 'transactionHash', 'blockNumber'],
);
export type RecordLifecycleChanged = ApiType<typeof recordLifecycleChanged>;

/** The longest author erasure window the consortium may vote (90 days, as the contract allows). */
export const maxAuthorErasureWindowSeconds = 90 * 24 * 3600;

/** `GET /api/records/erasure-window`: how long after anchoring the author's organisation may erase a record entered in error. */
export const authorErasureWindow = object(
  {
    windowSeconds: {
      type: 'integer',
      description: '0: the author’s organisation may not erase (the default)',
    },
    version: { type: 'integer' },
  },
  ['windowSeconds', 'version'],
);
export type AuthorErasureWindow = ApiType<typeof authorErasureWindow>;

/** An admin's signed `ProposeAuthorErasureWindow`. */
export const proposeAuthorErasureWindowBody = object(
  {
    windowSeconds: { type: 'integer', minimum: 0, maximum: maxAuthorErasureWindowSeconds },
    admin: address,
    ...signedFields,
  },
  ['windowSeconds', 'admin', ...signedFieldNames],
);
export type ProposeAuthorErasureWindowBody = ApiType<typeof proposeAuthorErasureWindowBody>;

/** An admin's signed `ApproveAuthorErasureWindow`. */
export const approveAuthorErasureWindowBody = object({ approver: address, ...signedFields }, [
  'approver',
  ...signedFieldNames,
]);
export type ApproveAuthorErasureWindowBody = ApiType<typeof approveAuthorErasureWindowBody>;

/** An author erasure window proposal after a proposal or an approval: whether it is now in force. */
export const authorErasureWindowVote = object(
  { proposalId: { type: 'integer' }, enacted: { type: 'boolean' }, transactionHash: bytes32 },
  ['proposalId', 'enacted', 'transactionHash'],
);
export type AuthorErasureWindowVote = ApiType<typeof authorErasureWindowVote>;
