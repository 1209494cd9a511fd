/**
 * The records area: anchoring a record, listing a patient's records with their stamps, reading one
 * (its envelope and the data key or key share re-sealed to the reader), and fetching blobs.
 */
import type { ApiType } from './apiType.ts';
import {
  address,
  base64url,
  bytes32,
  category,
  cid,
  nullable,
  object,
  sensitivity,
  signature,
  uint8,
  uint64,
} from './schemaParts.ts';

/** One signer of a record's stamp. */
export const stampSigner = object(
  {
    address,
    as: {
      type: 'string',
      enum: ['author', 'co-signer'],
      description: '`author` signed the record when it was anchored; `co-signer` added a co-signature',
    },
    role: { type: 'string', description: 'a member role, or `patient`' },
    organisationId: { type: 'integer' },
  },
  ['address', 'as', 'role', 'organisationId'],
);
export type StampSigner = ApiType<typeof stampSigner>;

/** The properties of a stamp, for answers that add their own (e.g. the record id). */
export const stampProperties = {
  status: { type: 'string', enum: ['final', 'draft'] },
  policyVersion: {
    type: 'integer',
    description: 'the policy version the record is judged by (0: no policy, final at once)',
  },
  signers: { type: 'array', items: stampSigner },
} as const;
/** The properties every stamp has. */
export const stampRequired = ['status', 'policyVersion', 'signers'] as const;

/** A record's multi-signature stamp: final or draft under its category's co-signature policy. */
export const stamp = object(stampProperties, stampRequired);
export type Stamp = ApiType<typeof stamp>;

const recordMetadataProperties = {
  recordId: bytes32,
  patient: address,
  author: address,
  organisationId: { type: 'integer' },
  category,
  sensitivity,
  cid,
  contentDigest: bytes32,
  supersedes: nullable(bytes32),
  supersededBy: nullable(bytes32),
  createdAt: { type: 'integer', description: 'unix seconds, as signed' },
  blockNumber: { type: 'integer' },
  transactionHash: bytes32,
} as const;
const recordMetadataRequired = [
  'recordId',
  'patient',
  'author',
  'organisationId',
  'category',
  'sensitivity',
  'cid',
  'contentDigest',
  'supersedes',
  'supersededBy',
  'createdAt',
  'blockNumber',
  'transactionHash',
] as const;

/** A record's metadata as the gateway indexed it (never its content); in lists, with its stamp. */
export const recordMetadata = object(
  { ...recordMetadataProperties, stamp: { ...stamp, description: 'in record lists: the record’s stamp' } },
  recordMetadataRequired,
);
export type RecordMetadata = ApiType<typeof recordMetadata>;

/** `POST /api/records`: the record's signed leaf, its author's signature and its encrypted envelope. */
export const addRecordBody = object(
  {
    leaf: object(
      {
        recordId: bytes32,
        patient: address,
        author: address,
        category: uint8,
        sensitivity: uint8,
        contentDigest: bytes32,
        supersedes: bytes32,
        createdAt: uint64,
      },
      [
        'recordId',
        'patient',
        'author',
        'category',
        'sensitivity',
        'contentDigest',
        'supersedes',
        'createdAt',
      ],
    ),
    signature,
    envelope: base64url,
  },
  ['leaf', 'signature', 'envelope'],
);
export type AddRecordBody = ApiType<typeof addRecordBody>;

/** `POST /api/records` (201): the record, anchored. */
export const recordAdded = object(
  {
    recordId: bytes32,
    cid,
    contentDigest: bytes32,
    organisationId: {
      type: 'integer',
      description: 'the custodian organisation the record is anchored under',
    },
    blockNumber: { type: 'integer' },
    transactionHash: bytes32,
  },
  ['recordId', 'cid', 'contentDigest', 'organisationId', 'blockNumber', 'transactionHash'],
);
export type RecordAdded = ApiType<typeof recordAdded>;

/** `GET /api/records?patient=`. */
export const listRecordsQuery = object(
  {
    patient: address,
    includeHidden: {
      type: 'string',
      enum: ['true', 'false'],
      description:
        'the patient only: also list its hidden (soft-deleted) and erased records, marked as such (default false)',
    },
  },
  ['patient'],
);
export type ListRecordsQuery = ApiType<typeof listRecordsQuery>;

/** `GET /api/records`: the patient's records the caller may read, each with its stamp. */
export const recordList = object(
  {
    patient: address,
    records: {
      type: 'array',
      items: object(
        {
          ...recordMetadataProperties,
          stamp,
          hidden: object(
            {
              by: address,
              retainUntil: { type: 'integer', description: 'unix seconds; 0: no end of retention' },
            },
            ['by', 'retainUntil'],
          ),
          erased: object(
            {
              erasedAt: { type: 'integer', description: 'unix seconds' },
              by: address,
              reason: {
                type: 'string',
                enum: ['patient-request', 'entered-in-error', 'moved', 'retention-ended'],
              },
            },
            ['erasedAt', 'by', 'reason'],
          ),
        },
        [...recordMetadataRequired, 'stamp'],
      ),
    },
  },
  ['patient', 'records'],
);
export type RecordList = ApiType<typeof recordList>;

/** `/api/records/:id…`: a record id. */
export const recordIdParams = object({ id: bytes32 }, ['id']);

/** `POST /api/records/:id/access`: why the record is read (HL7 purpose of use; default TREAT). */
export const readRecordBody = {
  anyOf: [object({ purpose: { type: 'string', maxLength: 64 } }), { type: 'null' }],
} as const;
export type ReadRecordBody = ApiType<typeof readRecordBody>;

/** `POST /api/records/:id/access`: the envelope, and the key material re-sealed to the reader. */
export const recordAccess = object(
  {
    record: recordMetadata,
    envelope: { ...base64url, description: 'the encrypted envelope, base64url' },
    sealedKey: {
      ...nullable(object({ enc: base64url, ct: base64url }, ['enc', 'ct'])),
      description:
        'v1 records: the whole data key, re-sealed to the reader; null when the patient opens its slot',
    },
    sealedShare: {
      ...nullable(
        object({ share: { type: 'integer' }, enc: base64url, ct: base64url }, ['share', 'enc', 'ct']),
      ),
      description: 'v2 (k-of-n) records: this gateway’s share of the data key, re-sealed to the reader',
    },
  },
  ['record', 'envelope', 'sealedKey', 'sealedShare'],
);
export type RecordAccess = ApiType<typeof recordAccess>;

/** `GET /api/blobs/:cid`. */
export const blobParams = object({ cid }, ['cid']);
/** `GET /api/blobs/:cid`: the ciphertext, as `application/octet-stream`. */
export const blob = { type: 'string', format: 'binary' } as const;
