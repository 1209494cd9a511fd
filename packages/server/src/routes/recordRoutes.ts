import {
  address,
  base64url,
  bytes32,
  cid,
  created,
  errorResponse,
  object,
  signature,
  uint8,
  uint64,
} from '@medledger/api';
import {
  AccessDeniedError,
  base64urlToBytes,
  bytesToBase64url,
  categories,
  digestOf,
  type Envelope,
  InvalidInputError,
  NotFoundError,
  parseEnvelope,
  type RecordLeaf,
  sensitivities,
} from '@medledger/core';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Address, Hex } from 'viem';
import type { GatewayServices } from '../gatewayServices.ts';
import { requireSigner } from '../operations/signedActions.ts';
import { recordAnchorStatus, requireRecordAnchored } from '../recordAnchor.ts';
import type { RecordRow } from '../store/gatewayStore.ts';
import { peerRequestHeader } from '../store/replicatingBlobStore.ts';
import { requireSession, sameAddress, typedRoutes } from './routeHelpers.ts';

const recordIdParams = object({ id: bytes32 }, ['id']);
const zeroHash = `0x${'00'.repeat(32)}`;

export function recordRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { ledger, auth, store, blobs, access, anchorer, custodian, auditLog, stamps, indexer } = services;
  const session = requireSession(auth);
  const security = [{ session: [] }];

  app.post(
    '/api/records',
    {
      preHandler: session,
      schema: {
        summary: 'Anchor a record: its encrypted envelope and the leaf its author signed',
        description:
          'The envelope must be sealed to the patient’s registered key and to its custodian organisation’s key. ' +
          'The author needs an append grant from the patient (or is the patient). Answers once the record is in a block.',
        tags: ['records'],
        security,
        body: object(
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
        ),
        response: {
          201: created,
          400: errorResponse,
          403: errorResponse,
          409: errorResponse,
          503: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const author = requireSigner(request.session, body.leaf.author, 'record');
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
      await checkSealedToPatientAndCustodian(envelope, leaf.patient);
      const { grantId } = await access.authorise({
        actor: author,
        patient: leaf.patient,
        category: leaf.category,
        sensitivity: leaf.sensitivity,
        action: 'append',
        recordId: leaf.recordId,
      });
      const storedCid = await blobs.put(bytes);
      const receipt = await anchorer.anchor({ leaf, grantId, signature: body.signature as Hex });
      return reply.status(201).send({
        recordId: leaf.recordId,
        cid: storedCid,
        contentDigest: leaf.contentDigest,
        organisationId: receipt.organisationId,
        blockNumber: receipt.blockNumber,
        transactionHash: receipt.transactionHash,
      });
    },
  );

  app.get(
    '/api/records',
    {
      preHandler: session,
      schema: {
        summary: 'Metadata of a patient’s records that the caller may read (all of them for the patient)',
        description:
          'Each with its stamp: final or draft under its category’s co-signature policy, and its signers. ' +
          'Only records the chain anchors as indexed are listed.',
        tags: ['records'],
        security,
        querystring: object({ patient: address }, ['patient']),
      },
    },
    async (request) => {
      const actor = request.session.address;
      const patient = request.query.patient as Address;
      const rows = await anchoredOnly(await store.recordsOfPatient(patient), request.log);
      const visible = sameAddress(actor, patient) ? rows : await readableBy(actor, patient, rows);
      const outcome =
        sameAddress(actor, patient) || visible.length > 0 || rows.length === 0 ? 'allowed' : 'denied';
      await auditLog.record({
        actor,
        patient,
        action: 'list',
        recordId: null,
        category: null,
        sensitivity: null,
        purpose: null,
        outcome,
        reason: `${visible.length} of ${rows.length} records visible`,
      });
      if (outcome === 'denied') {
        throw new AccessDeniedError(
          `${actor} may not see the records of patient ${patient}: no active consent.`,
        );
      }
      return {
        patient: patient.toLowerCase(),
        records: await Promise.all(
          visible.map(async (row) => ({ ...describeRecord(row), stamp: await stamps.of(row) })),
        ),
      };
    },
  );

  app.post(
    '/api/records/:id/access',
    {
      preHandler: session,
      schema: {
        summary:
          'Read a record: its envelope, and its data key sealed to the caller when the ledger allows it',
        description:
          'The patient unwraps its own key slot in the envelope (sealedKey is null), unless it rotated its key since ' +
          'the record was written. Any other reader, and such a patient, gets the data ' +
          'key re-sealed by this gateway’s custodian to the reader’s registered encryption key. Audited either way. ' +
          'Nothing is released unless the chain anchors the record as this gateway indexed it, at the block the ' +
          'access decision was taken at: 404 with reason record_not_on_chain if it does not, 422 with reason ' +
          'record_anchor_mismatch if its anchor differs.',
        tags: ['records'],
        security,
        params: recordIdParams,
        body: {
          anyOf: [object({ purpose: { type: 'string', maxLength: 64 } }), { type: 'null' }],
        },
        response: {
          200: created,
          403: errorResponse,
          404: errorResponse,
          422: errorResponse,
          503: errorResponse,
        },
      },
    },
    async (request) => {
      const actor = request.session.address;
      const recordId = request.params.id.toLowerCase() as Hex;
      const row = await indexer.record(recordId);
      if (!row) throw new NotFoundError(`No record ${recordId}.`);
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
          purpose: request.body?.purpose ?? 'TREAT',
        },
        (blockNumber) => requireRecordAnchored(ledger, row, blockNumber),
      );
      const bytes = await blobs.get(row.cid);
      const envelope = parseEnvelope(bytes);
      let sealedKey: { enc: string; ct: string } | null = null;
      let sealedShare: { share: number; enc: string; ct: string } | null = null;
      // The patient opens its own slot, unless it rotated its key since the record was written: then
      // it is served like any reader, the data key re-sealed to its current key.
      const readerKey = sameAddress(actor, row.patient)
        ? await rotatedPatientKey(envelope, row.patient)
        : await encryptionKeyOf(actor);
      if (readerKey) {
        if (envelope.v === 2) {
          // k-of-n: this gateway gives its own share only; the reader asks the other custodians.
          const share = await custodian.resealOwnShare(envelope, readerKey);
          if (share)
            sealedShare = {
              share: share.share,
              enc: bytesToBase64url(share.enc),
              ct: bytesToBase64url(share.ct),
            };
        } else {
          const sealed = await custodian.reseal(envelope, readerKey);
          sealedKey = { enc: bytesToBase64url(sealed.enc), ct: bytesToBase64url(sealed.ct) };
        }
      }
      return { record: describeRecord(row), envelope: bytesToBase64url(bytes), sealedKey, sealedShare };
    },
  );

  app.get(
    '/api/blobs/:cid',
    {
      schema: {
        summary:
          'An encrypted blob by its CID (ciphertext only; verified against its CID before it is served)',
        tags: ['records'],
        params: object({ cid }, ['cid']),
        response: { 200: { type: 'string', format: 'binary' }, 404: errorResponse, 422: errorResponse },
      },
    },
    async (request, reply) => {
      // A peer gateway asking is answered from local storage only (no fetch loops between peers).
      const bytes = await blobs.get(request.params.cid, {
        localOnly: request.headers[peerRequestHeader] === '1',
      });
      return reply.type('application/octet-stream').send(Buffer.from(bytes) as unknown as string);
    },
  );

  /**
   * Keeps the rows whose records the chain anchors as indexed. The others (the chain lost their
   * blocks, or the index was altered) are left out of lists and logged by id, never with content.
   */
  async function anchoredOnly(rows: RecordRow[], log: FastifyBaseLogger): Promise<RecordRow[]> {
    const statuses = await Promise.all(rows.map((row) => recordAnchorStatus(ledger, row)));
    return rows.filter((row, index) => {
      const status = statuses[index];
      if (status === 'anchored') return true;
      log.warn(
        { recordId: row.recordId, status },
        'an indexed record is not anchored on the chain as indexed',
      );
      return false;
    });
  }

  /** Keeps the rows of the categories and sensitivities the actor may read. */
  async function readableBy(actor: Address, patient: Address, rows: RecordRow[]): Promise<RecordRow[]> {
    const scopes = [...new Set(rows.map((row) => `${row.category}:${row.sensitivity}`))];
    const allowed = new Set<string>();
    await Promise.all(
      scopes.map(async (scope) => {
        const [category, sensitivity] = scope.split(':').map(Number) as [number, number];
        if (await access.allows({ actor, patient, category, sensitivity, action: 'read' }))
          allowed.add(scope);
      }),
    );
    return rows.filter((row) => allowed.has(`${row.category}:${row.sensitivity}`));
  }

  /** A reader's encryption key as registered on chain (a member's key never changes once added). */
  async function encryptionKeyOf(actor: Address): Promise<Hex> {
    const indexed = await store.member(actor);
    if (indexed) return indexed.encryptionKey;
    const member = await ledger.read('consortium', 'member', [actor]);
    if (!member.organisationId) throw new AccessDeniedError(`${actor} is not a registered member.`);
    return member.encryptionKey;
  }

  /**
   * The patient's current encryption key, if the envelope's patient slot is sealed to another one (a
   * key the patient rotated out). Asks the chain: a re-sealed key must never go to a key the index
   * still has but the patient has left.
   */
  async function rotatedPatientKey(envelope: Envelope, patient: Address): Promise<Hex | undefined> {
    const slot = envelope.keys.find((key) => key.kind === 'patient')?.publicKey.toLowerCase();
    const current = (await ledger.read('consortium', 'patient', [patient])).encryptionKey;
    return slot === current.toLowerCase() ? undefined : current;
  }

  /**
   * The index answers when it has the patient with the key the record is sealed to; the chain
   * answers for registrations and key rotations the indexer has not reached yet.
   */
  async function registeredPatient(
    address: Address,
    sealedTo: Hex | undefined,
  ): Promise<{ encryptionKey: Hex; organisationId: number }> {
    const indexed = await store.patient(address);
    if (indexed && indexed.encryptionKey.toLowerCase() === sealedTo?.toLowerCase()) return indexed;
    const patient = await ledger.read('consortium', 'patient', [address]);
    if (!patient.registered) throw new NotFoundError(`${address} is not a registered patient.`);
    return patient;
  }

  async function organisationKey(organisationId: number): Promise<Hex> {
    const indexed = await store.organisation(organisationId);
    if (indexed) return indexed.encryptionKey;
    return (await ledger.read('consortium', 'organisation', [organisationId])).encryptionKey;
  }

  /**
   * Once the consortium has set k-of-n custody, a record must be a v2 envelope whose shares are
   * sealed to exactly the current custodians, with their registered keys, and the current k.
   */
  async function checkCustody(envelope: Envelope): Promise<boolean> {
    const [custodians, threshold, version] = await ledger.read('consortium', 'custody', []);
    if (version === 0n) return false;
    if (envelope.v !== 2) {
      throw new InvalidInputError(
        `The consortium splits record keys ${threshold} of ${custodians.length}: seal the data key in shares to its custodians.`,
      );
    }
    const shares = envelope.keys.filter((key) => key.kind === 'custodian');
    const sealedTo = shares.map((key) => key.id).sort();
    const expected = custodians.map(String).sort();
    if (envelope.custody.threshold !== threshold || sealedTo.join() !== expected.join()) {
      throw new InvalidInputError(
        `The key shares must go ${threshold} of ${custodians.length} to organisations ${expected.join(', ')}; ` +
          `this record has ${envelope.custody.threshold} of ${sealedTo.length} to ${sealedTo.join(', ') || 'none'}.`,
      );
    }
    for (const share of shares) {
      const key = (await organisationKey(Number(share.id))).toLowerCase();
      if (share.publicKey.toLowerCase() !== key) {
        throw new InvalidInputError(
          `The key share for organisation ${share.id} is not sealed to its registered key.`,
        );
      }
    }
    return true;
  }

  async function checkSealedToPatientAndCustodian(
    envelope: Envelope,
    patientAddress: Address,
  ): Promise<void> {
    const patientSlot = envelope.keys.find((key) => key.kind === 'patient');
    const patient = await registeredPatient(patientAddress, patientSlot?.publicKey);
    if (!patientSlot || patientSlot.publicKey.toLowerCase() !== patient.encryptionKey.toLowerCase()) {
      throw new InvalidInputError('The data key is not sealed to the patient’s registered encryption key.');
    }
    if (await checkCustody(envelope)) return;
    if (patient.organisationId) {
      const custodianKey = (await organisationKey(patient.organisationId)).toLowerCase();
      const sealedToCustodian = envelope.keys.some(
        (key) =>
          key.kind === 'custodian' &&
          key.id === String(patient.organisationId) &&
          key.publicKey.toLowerCase() === custodianKey,
      );
      if (!sealedToCustodian) {
        throw new InvalidInputError(
          `The data key is not sealed to the custodian, organisation ${patient.organisationId}, of this patient.`,
        );
      }
    }
  }
}

/** The envelope must be the bytes the leaf commits to, and describe the same record. */
function checkEnvelopeMatchesLeaf(bytes: Uint8Array, leaf: RecordLeaf): Envelope {
  if (digestOf(bytes) !== leaf.contentDigest) {
    throw new InvalidInputError('The envelope does not match the content digest of the signed record.');
  }
  const envelope = parseEnvelope(bytes);
  const { meta } = envelope;
  const mismatches = [
    meta.recordId.toLowerCase() !== leaf.recordId && 'recordId',
    meta.patient.toLowerCase() !== leaf.patient && 'patient',
    meta.author.toLowerCase() !== leaf.author && 'author',
    meta.category !== categories[leaf.category] && 'category',
    meta.sensitivity !== sensitivities[leaf.sensitivity] && 'sensitivity',
    meta.supersedes.toLowerCase() !== leaf.supersedes && 'supersedes',
    BigInt(meta.createdAt) !== leaf.createdAt && 'createdAt',
  ].filter(Boolean);
  if (mismatches.length) {
    throw new InvalidInputError(`The envelope and the signed record disagree on: ${mismatches.join(', ')}.`);
  }
  return envelope;
}

export function describeRecord(row: RecordRow) {
  return {
    recordId: row.recordId,
    patient: row.patient,
    author: row.author,
    organisationId: row.organisationId,
    category: categories[row.category] ?? String(row.category),
    sensitivity: sensitivities[row.sensitivity] ?? String(row.sensitivity),
    cid: row.cid,
    contentDigest: row.contentDigest,
    supersedes: row.supersedes === zeroHash ? null : row.supersedes,
    supersededBy: row.supersededBy,
    createdAt: row.createdAt,
    blockNumber: row.blockNumber,
    transactionHash: row.transactionHash,
  };
}
