/**
 * The records operations: anchoring a record, listing a patient's records, reading one (its
 * envelope and the data key or key share re-sealed to the reader), and serving blobs. Access is
 * decided, and audited, by `accessControl`.
 */
import type { AddRecordBody, ListRecordsQuery, RecordAccess, RecordAdded, RecordList } from '@medledger/api';
import {
  AccessDeniedError,
  base64urlToBytes,
  bytesToBase64url,
  categories,
  type Envelope,
  erasureReasonOfCode,
  NotFoundError,
  parseEnvelope,
  type RecordLeaf,
  sensitivities,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { recordAnchorStatus, requireRecordAnchored } from '../recordAnchor.ts';
import type { RecordRow } from '../store/gatewayStore.ts';
import { checkEnvelopeMatchesLeaf, checkSealedToPatientAndCustodian } from './recordEnvelope.ts';
import { requireSigner } from './signedActions.ts';

/** Where operations report what the caller need not see (a `pino`/Fastify logger fits). */
export interface OperationLog {
  warn(details: Record<string, unknown>, message: string): void;
}

const silentLog: OperationLog = { warn: () => undefined };
const zeroHash = `0x${'00'.repeat(32)}`;

/** A record checked and accepted for anchoring: its leaf, the grant that lets its author append it, its blob. */
export interface AcceptedRecord {
  leaf: RecordLeaf;
  grantId: bigint;
  signature: Hex;
  cid: string;
}

/**
 * Checks a record its author (the session) signed before it is anchored, alone (`addRecord`) or
 * within an order's step (`operations/orders.ts`): the envelope against the leaf and its sealing, an
 * append decision (audited), then stores the blob. Throws `AccessDeniedError` (`not_the_signer`,
 * `no_consent`), `InvalidInputError` (see `recordEnvelope.ts`), `NotFoundError` (`patient_not_registered`).
 */
export async function acceptRecord(
  services: GatewayServices,
  session: Session,
  body: AddRecordBody,
): Promise<AcceptedRecord> {
  const author = requireSigner(session, body.leaf.author, 'record');
  const leaf: RecordLeaf = {
    ...body.leaf,
    recordId: body.leaf.recordId.toLowerCase() as Hex,
    patient: body.leaf.patient.toLowerCase() as Address,
    author: author.toLowerCase() as Address,
    contentDigest: body.leaf.contentDigest.toLowerCase() as Hex,
    supersedes: body.leaf.supersedes.toLowerCase() as Hex,
    createdAt: BigInt(body.leaf.createdAt),
  };
  const bytes = base64urlToBytes(body.envelope, 'envelope');
  const envelope = checkEnvelopeMatchesLeaf(bytes, leaf);
  await checkSealedToPatientAndCustodian(services, envelope, leaf.patient);
  const { grantId } = await services.access.authorise({
    actor: author,
    patient: leaf.patient,
    category: leaf.category,
    sensitivity: leaf.sensitivity,
    action: 'append',
    recordId: leaf.recordId,
  });
  const cid = await services.blobs.put(bytes);
  return { leaf, grantId, signature: body.signature as Hex, cid };
}

/**
 * Anchors a record its author (the session) signed (see `acceptRecord`) and resolves once the record
 * is in a block. Throws `acceptRecord`'s errors, or the anchorer's.
 */
export async function addRecord(
  services: GatewayServices,
  session: Session,
  body: AddRecordBody,
): Promise<RecordAdded> {
  const { leaf, grantId, cid } = await acceptRecord(services, session, body);
  const receipt = await services.anchorer.anchor({ leaf, grantId, signature: body.signature });
  return {
    recordId: leaf.recordId,
    cid,
    contentDigest: leaf.contentDigest,
    organisationId: receipt.organisationId,
    blockNumber: receipt.blockNumber,
    transactionHash: receipt.transactionHash,
  };
}

/**
 * The patient's records the caller may read (all of them for the patient), each with its stamp.
 * Only records the chain anchors as indexed are listed; the others are reported to `log` by id.
 * Throws `AccessDeniedError` (`no_consent`) when the patient has records and the caller may read none.
 */
export async function listRecords(
  services: GatewayServices,
  session: Session,
  query: ListRecordsQuery,
  log: OperationLog = silentLog,
): Promise<RecordList> {
  const patient = query.patient.toLowerCase() as Address;
  const { store } = services;
  // Erased and hidden records are left out, but for the patient asking for them (marked as such).
  const withHidden = query.includeHidden === 'true' && session.address.toLowerCase() === patient;
  const erased = new Map((await store.erasuresOfPatient(patient)).map((row) => [row.recordId, row]));
  const hidden = new Map((await store.hiddenOfPatient(patient)).map((row) => [row.recordId, row]));
  const listed = (await store.recordsOfPatient(patient)).filter(
    (row) => withHidden || (!erased.has(row.recordId) && !hidden.has(row.recordId)),
  );
  const rows = await anchoredOnly(services, listed, log);
  const visible = await services.access.authoriseListing(session.address, patient, rows);
  return {
    patient,
    records: await Promise.all(
      visible.map(async (row) => {
        const erasure = erased.get(row.recordId);
        const hiding = hidden.get(row.recordId);
        return {
          ...describeRecord(row),
          stamp: await services.stamps.of(row),
          ...(hiding ? { hidden: { by: hiding.by, retainUntil: hiding.retainUntil } } : {}),
          ...(erasure
            ? {
                erased: {
                  erasedAt: erasure.erasedAt,
                  by: erasure.by,
                  reason: erasureReasonOfCode(erasure.reason) ?? 'patient-request',
                },
              }
            : {}),
        };
      }),
    ),
  };
}

/**
 * Reads a record: its envelope, and its data key (v1) or this gateway's key share (v2) re-sealed to
 * the reader, once `accessControl` allowed the read and the chain anchors the record as indexed at
 * the decision's block. The patient opens its own slot (`sealedKey` null) unless it rotated its key
 * since. Throws `NotFoundError` (`record_not_found`, `record_not_on_chain`), `IntegrityError`
 * (`record_anchor_mismatch`), `AccessDeniedError` (`no_consent`, `emergency_expired`, `not_a_member`).
 */
export async function readRecord(
  services: GatewayServices,
  session: Session,
  input: { recordId: Hex; purpose?: string | undefined },
): Promise<RecordAccess> {
  const { ledger, access, blobs, custodian, indexer } = services;
  const actor = session.address;
  const recordId = input.recordId.toLowerCase() as Hex;
  const row = await indexer.record(recordId);
  if (!row) throw new NotFoundError(`No record ${recordId}.`, { reason: 'record_not_found' });
  // The index is only a copy of the chain (which may have lost blocks since): no key or share
  // leaves this gateway unless the chain anchors this very record at the decision's block.
  await access.authorise(
    {
      actor,
      patient: row.patient,
      category: row.category,
      sensitivity: row.sensitivity,
      action: 'read',
      recordId,
      purpose: input.purpose ?? 'TREAT',
    },
    (blockNumber) => requireRecordAnchored(ledger, row, blockNumber),
  );
  const bytes = await blobs.get(row.cid);
  const envelope = parseEnvelope(bytes);
  let sealedKey: RecordAccess['sealedKey'] = null;
  let sealedShare: RecordAccess['sealedShare'] = null;
  // The patient opens its own slot, unless it rotated its key since the record was written: then
  // it is served like any reader, the data key re-sealed to its current key.
  const readerKey =
    actor.toLowerCase() === row.patient.toLowerCase()
      ? await rotatedPatientKey(services, envelope, row.patient)
      : await encryptionKeyOf(services, actor, row.patient);
  if (readerKey) {
    if (envelope.v === 2) {
      // k-of-n: this gateway gives its own share only; the reader asks the other custodians.
      const share = await custodian.resealOwnShare(envelope, readerKey);
      if (share) {
        sealedShare = {
          share: share.share,
          enc: bytesToBase64url(share.enc),
          ct: bytesToBase64url(share.ct),
        };
      }
    } else {
      const sealed = await custodian.reseal(envelope, readerKey);
      sealedKey = { enc: bytesToBase64url(sealed.enc), ct: bytesToBase64url(sealed.ct) };
    }
  }
  return { record: describeRecord(row), envelope: bytesToBase64url(bytes), sealedKey, sealedShare };
}

/**
 * An encrypted blob by its CID, verified against it. `localOnly`: answer from this gateway's storage
 * only (a peer gateway asking; no fetch loops between peers). Throws `NotFoundError` or `IntegrityError`.
 */
export function readBlob(
  services: GatewayServices,
  input: { cid: string; localOnly: boolean },
): Promise<Uint8Array> {
  // An erased record's blob answers GoneError (410): the blob store refuses it (replicatingBlobStore.ts).
  return services.blobs.get(input.cid, { localOnly: input.localOnly });
}

/** A record's metadata as the API describes it: category and sensitivity by name. */
function describeRecord(row: RecordRow): RecordAccess['record'] {
  return {
    recordId: row.recordId,
    patient: row.patient,
    author: row.author,
    organisationId: row.organisationId,
    category: categories[row.category] ?? (String(row.category) as RecordAccess['record']['category']),
    sensitivity:
      sensitivities[row.sensitivity] ?? (String(row.sensitivity) as RecordAccess['record']['sensitivity']),
    cid: row.cid,
    contentDigest: row.contentDigest,
    supersedes: row.supersedes === zeroHash ? null : row.supersedes,
    supersededBy: row.supersededBy,
    createdAt: row.createdAt,
    blockNumber: row.blockNumber,
    transactionHash: row.transactionHash,
  };
}

/**
 * Keeps the rows whose records the chain anchors as indexed. The others (the chain lost their
 * blocks, or the index was altered) are left out of lists and logged by id, never with content.
 */
async function anchoredOnly(
  { ledger }: GatewayServices,
  rows: RecordRow[],
  log: OperationLog,
): Promise<RecordRow[]> {
  const statuses = await Promise.all(rows.map((row) => recordAnchorStatus(ledger, row)));
  return rows.filter((row, index) => {
    const status = statuses[index];
    if (status === 'anchored') return true;
    log.warn({ recordId: row.recordId, status }, 'an indexed record is not anchored on the chain as indexed');
    return false;
  });
}

/**
 * A reader's encryption key as registered on chain: a member's own (it never changes once added), or for
 * a delegate of `patient` the key the patient registered for it, read from the chain (not the index: a
 * re-sealed key must go to the key the patient registered last).
 */
async function encryptionKeyOf(
  { ledger, store }: GatewayServices,
  actor: Address,
  patient: Address,
): Promise<Hex> {
  const indexed = await store.member(actor);
  if (indexed) return indexed.encryptionKey;
  const member = await ledger.read('consortium', 'member', [actor]);
  if (member.organisationId) return member.encryptionKey;
  const delegateKey = await ledger.read('delegates', 'encryptionKeyOf', [patient, actor]);
  if (BigInt(delegateKey) === 0n) {
    throw new AccessDeniedError(`${actor} is neither a registered member nor a delegate of the patient.`, {
      reason: 'not_a_member',
    });
  }
  return delegateKey;
}

/**
 * The patient's current encryption key, if the envelope's patient slot is sealed to another one (a
 * key the patient rotated out). Asks the chain: a re-sealed key must never go to a key the index
 * still has but the patient has left.
 */
async function rotatedPatientKey(
  { ledger }: GatewayServices,
  envelope: Envelope,
  patient: Address,
): Promise<Hex | undefined> {
  const slot = envelope.keys.find((key) => key.kind === 'patient')?.publicKey.toLowerCase();
  const current = (await ledger.read('consortium', 'patient', [patient])).encryptionKey;
  return slot === current.toLowerCase() ? undefined : current;
}
