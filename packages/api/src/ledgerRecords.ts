/**
 * The ledger-records area: the record anchors a gateway has indexed, for anyone to check against
 * the chain (`medledger verify`). Only what the chain publishes in its `RecordAnchored` events.
 */
import type { ApiType } from './apiType.ts';
import { address, bytes32, cid, nullable, object, uint8, uint32, uint64 } from './schemaParts.ts';

/** The default and the largest page of `GET /api/ledger/records`. */
export const ledgerRecordsPageSize = { default: 500, max: 1000 } as const;

/** `GET /api/ledger/records?after=&limit=&patient=`. */
export const ledgerRecordsQuery = object({
  after: { ...bytes32, description: 'the last record id of the previous page' },
  patient: { ...address, description: 'only the anchors of this patient' },
  limit: {
    type: 'string',
    pattern: '^[1-9][0-9]{0,3}$',
    description: `1 to ${ledgerRecordsPageSize.max}`,
  },
});
export type LedgerRecordsQuery = ApiType<typeof ledgerRecordsQuery>;

/** A record anchor as a gateway indexed it: its `RecordAnchored` event, category and sensitivity as codes. */
export const indexedRecordAnchor = object(
  {
    recordId: bytes32,
    patient: address,
    author: address,
    organisationId: uint32,
    category: { ...uint8, description: 'category code as anchored (0..11)' },
    sensitivity: { ...uint8, description: 'sensitivity code as anchored (0 normal, 1 restricted)' },
    contentDigest: bytes32,
    cid,
    supersedes: bytes32,
    createdAt: uint64,
    blockNumber: uint64,
    transactionHash: bytes32,
  },
  [
    'recordId',
    'patient',
    'author',
    'organisationId',
    'category',
    'sensitivity',
    'contentDigest',
    'cid',
    'supersedes',
    'createdAt',
    'blockNumber',
    'transactionHash',
  ],
);
export type IndexedRecordAnchor = ApiType<typeof indexedRecordAnchor>;

/** `GET /api/ledger/records`: a page of anchors in the order of record ids. */
export const indexedRecordAnchorPage = object(
  {
    records: { type: 'array', items: indexedRecordAnchor },
    next: { ...nullable(bytes32), description: 'the `after` of the next page; null after the last' },
  },
  ['records', 'next'],
);
export type IndexedRecordAnchorPage = ApiType<typeof indexedRecordAnchorPage>;
