/**
 * The record actions copy, duplicate and move: a new record derived from an existing one (its source),
 * anchored with the signed `Derivation` in one transaction through the RecordActions contract. The new
 * record travels as `POST /api/records` takes one (its signed leaf, signature and envelope).
 */
import { derivationKinds } from '@medledger/core';
import type { ApiType } from './apiType.ts';
import { addRecordBody } from './records.ts';
import { address, bytes32, object, signedFieldNames, signedFields, uint32 } from './schemaParts.ts';

export const derivationKind = { type: 'string', enum: [...derivationKinds] } as const;

/** `POST /api/records/:id/derive`: the signed `Derivation` of the source `:id` and the new record. */
export const deriveRecordBody = object(
  {
    kind: derivationKind,
    by: { ...address, description: 'who signed the derivation: the caller' },
    toOrganisation: {
      ...uint32,
      description: 'copy: the organisation whose members may read the copy; 0 for duplicate and move',
    },
    record: addRecordBody,
    ...signedFields,
  },
  ['kind', 'by', 'toOrganisation', 'record', ...signedFieldNames],
);
export type DeriveRecordBody = ApiType<typeof deriveRecordBody>;

/** `POST /api/records/:id/derive` (201): the new record, anchored in a block. */
export const recordDerived = object(
  {
    kind: derivationKind,
    sourceId: bytes32,
    recordId: bytes32,
    patient: address,
    toOrganisation: uint32,
    transactionHash: bytes32,
    blockNumber: { type: 'integer' },
  },
  ['kind', 'sourceId', 'recordId', 'patient', 'toOrganisation', 'transactionHash', 'blockNumber'],
);
export type RecordDerived = ApiType<typeof recordDerived>;
