/**
 * Key backups and their recovery (see `core/src/keyBackup` for the cryptography).
 *
 * - A patient stores its backup here and commits its hash on chain in the same request; the gateway
 *   checks that the backup holds the patient's current keys (by their public halves) and that every
 *   share is sealed to a registered member's or patient's current key.
 * - A device without the key asks for a recovery without signing in (it has no key to sign with):
 *   it names the patient, a random request id, its recovery public key and the SHA-256 of a secret
 *   token. Each request expires after 72 hours; few per patient stay open at once (see below).
 * - Guardians, signed in, read the request and the backup, check the backup against the chain and
 *   the request against the verification code the patient told them, and post their share sealed
 *   to the recovery key. Each approval is audited under the patient.
 * - The device, with its token, fetches the shares; it needs k of them and checks what they rebuild.
 *
 * The gateway never sees a share in clear: every share it stores is sealed to a guardian or to a
 * recovery key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  address,
  base64url,
  bytes32,
  created,
  errorResponse,
  object,
  signedFields,
  uint64,
} from '@medledger/api';
import {
  AccessDeniedError,
  base64urlToBytes,
  bytesToBase64url,
  bytesToUtf8,
  ConflictError,
  checkKeyBackupCommitment,
  InvalidInputError,
  type KeyBackup,
  keyBackupHash,
  NotFoundError,
  normalizeRecoveryRequest,
  parseKeyBackup,
  utf8ToBytes,
} from '@medledger/core';
import type { FastifyInstance } from 'fastify';
import { type Address, type Hex, isAddressEqual } from 'viem';
import { registeredAccount } from '../accountKeys.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import { requireSigner, signedArgs } from '../operations/signedActions.ts';
import type { KeyBackupRow, KeyRecoveryRequestRow } from '../store/gatewayStore.ts';
import { requireSession, typedRoutes } from './routeHelpers.ts';

/** How long a recovery request stays open. */
const requestLifetimeSeconds = 72 * 3600;
/**
 * Open requests one patient may have at a time. Anyone may ask, so a new request replaces the
 * oldest one no guardian has approved yet: a flood of requests cannot lock the patient out, only
 * push out requests nobody acted on.
 */
const maxOpenRequests = 10;
/** How far a request's creation time may be from the gateway's clock. */
const clockSkewSeconds = 600;
const requestIdParams = object({ id: bytes32 }, ['id']);

export function keyRecoveryRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { ledger, auth, store, auditLog } = services;
  const session = requireSession(auth);
  const security = [{ session: [] }];
  const now = () => Math.floor(Date.now() / 1000);

  const audit = (
    actor: Address,
    patient: Address,
    action: string,
    outcome: 'allowed' | 'denied',
    reason: string,
  ) =>
    auditLog.record({
      actor,
      patient,
      action,
      recordId: null,
      category: null,
      sensitivity: null,
      purpose: null,
      outcome,
      reason,
    });

  /** The chain's commitment to the patient's backup, and whether it still holds the patient's current key. */
  async function commitment(patient: Address) {
    const [committed, signer] = await Promise.all([
      ledger.read('consortium', 'keyBackupOf', [patient]),
      ledger.read('consortium', 'signerOf', [patient]),
    ]);
    return {
      backupId: committed.backupId,
      backupHash: committed.backupHash,
      signer: committed.signer,
      committedAt: Number(committed.committedAt),
      holdsCurrentKey: isAddressEqual(committed.signer, signer),
    };
  }

  /** The patient's stored backup, which must be the one committed on chain and hold its current key. */
  async function currentBackup(patient: Address): Promise<{ row: KeyBackupRow; backup: KeyBackup }> {
    const row = await store.keyBackup(patient);
    if (!row) throw new NotFoundError(`No key backup of ${patient} at this gateway.`);
    const committed = await commitment(patient);
    const backup = checkKeyBackupCommitment(utf8ToBytes(row.backup), committed);
    if (!committed.holdsCurrentKey) {
      throw new ConflictError(
        `The key backup of ${patient} holds a key that was rotated out since; the patient should back up its new key.`,
      );
    }
    return { row, backup };
  }

  /** An open request and the backup it is for; `NotFoundError` for an unknown or expired one. */
  async function openRequest(requestId: string) {
    const request = await store.keyRecoveryRequest(requestId as Hex);
    if (!request || request.expiresAt <= now()) {
      throw new NotFoundError(`No open key recovery request ${requestId}.`);
    }
    const { row, backup } = await currentBackup(request.patient);
    if (row.backupId.toLowerCase() !== request.backupId.toLowerCase()) {
      throw new ConflictError('The patient made a new key backup since this request; ask again.');
    }
    return { request, row, backup };
  }

  app.post(
    '/api/key-backups',
    {
      preHandler: session,
      schema: {
        summary:
          'Store a key backup split among guardians and commit its hash on chain, signed by the patient',
        description:
          'The backup replaces the patient’s previous one. Its shares must be sealed to the registered keys of ' +
          'active members or registered patients, and it must hold the patient’s current keys.',
        tags: ['keys'],
        security,
        body: object({ backup: { ...base64url, maxLength: 16_000 }, ...signedFields }, [
          'backup',
          'nonce',
          'deadline',
          'signature',
        ]),
        response: { 201: created, 400: errorResponse, 403: errorResponse, 503: errorResponse },
      },
    },
    async (request, reply) => {
      const bytes = base64urlToBytes(request.body.backup, 'backup');
      const backup = parseKeyBackup(bytes);
      const patient = requireSigner(request.session, backup.patient, 'key backup');
      const [registered, signer] = await Promise.all([
        ledger.read('consortium', 'patient', [patient]),
        ledger.read('consortium', 'signerOf', [patient]),
      ]);
      if (!registered.registered) throw new NotFoundError(`${patient} is not a registered patient.`);
      if (
        !isAddressEqual(signer, backup.signer) ||
        registered.encryptionKey.toLowerCase() !== backup.encryptionKey
      ) {
        throw new InvalidInputError('The backup does not hold the patient’s current keys.');
      }
      await Promise.all(
        backup.guardians.map(async ({ guardian, publicKey }) => {
          const account = await registeredAccount(ledger, guardian).catch((error: unknown) => {
            if (error instanceof NotFoundError) {
              throw new InvalidInputError(`Guardian ${guardian} is neither a member nor a patient.`);
            }
            throw error;
          });
          if (!account.active) throw new InvalidInputError(`Guardian ${guardian} is a suspended member.`);
          if (account.encryptionKey.toLowerCase() !== publicKey) {
            throw new InvalidInputError(
              `The share of guardian ${guardian} is not sealed to its registered key.`,
            );
          }
        }),
      );
      const backupHash = keyBackupHash(bytes);
      const sent = await ledger.write('consortium', 'commitKeyBackup', [
        patient,
        backup.backupId,
        backupHash,
        ...signedArgs(request.body),
      ]);
      const guardians = backup.guardians.map((g) => g.guardian);
      await store.saveKeyBackup({
        patient,
        backupId: backup.backupId,
        backup: bytesToUtf8(bytes),
        guardians,
        storedAt: now(),
      });
      await audit(
        patient,
        patient,
        'key-backup',
        'allowed',
        `${backup.threshold} of ${guardians.length} guardians`,
      );
      return reply.status(201).send({
        patient: patient.toLowerCase(),
        backupId: backup.backupId,
        backupHash,
        threshold: backup.threshold,
        guardians,
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      });
    },
  );

  app.get(
    '/api/key-backups/:patient',
    {
      preHandler: session,
      schema: {
        summary: 'A patient’s key backup, for the patient and its guardians, with the chain’s commitment',
        tags: ['keys'],
        security,
        params: object({ patient: address }, ['patient']),
        response: { 200: created, 404: errorResponse, 503: errorResponse },
      },
    },
    async (request) => {
      const patient = request.params.patient.toLowerCase() as Address;
      const caller = request.session.address;
      const row = await store.keyBackup(patient);
      const allowed =
        row && (isAddressEqual(caller, patient) || row.guardians.some((g) => isAddressEqual(g, caller)));
      if (!row || !allowed) {
        if (row) await audit(caller, patient, 'key-backup-read', 'denied', 'not the patient or a guardian');
        throw new NotFoundError(`No key backup of ${patient} that you may see.`);
      }
      return {
        backup: bytesToBase64url(utf8ToBytes(row.backup)),
        backupId: row.backupId,
        committed: await commitment(patient),
      };
    },
  );

  app.post(
    '/api/key-recovery/requests',
    {
      schema: {
        summary: 'Ask the guardians of a patient’s key backup for their shares (no sign-in: the key is lost)',
        description:
          'The device chooses the request id and a recovery key, and keeps the token whose SHA-256 it sends. ' +
          'Guardians approve only if the verification code the patient tells them matches the request.',
        tags: ['keys'],
        body: object(
          {
            requestId: bytes32,
            patient: address,
            recoveryKey: bytes32,
            createdAt: uint64,
            tokenHash: bytes32,
          },
          ['requestId', 'patient', 'recoveryKey', 'createdAt', 'tokenHash'],
        ),
        response: {
          201: created,
          400: errorResponse,
          404: errorResponse,
          409: errorResponse,
          503: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const patient = body.patient.toLowerCase() as Address;
      const { backup } = await currentBackup(patient);
      if (Math.abs(body.createdAt - now()) > clockSkewSeconds) {
        throw new InvalidInputError('The request’s creation time is too far from this gateway’s clock.');
      }
      const open = await store.openKeyRecoveryRequests({ patient }, now());
      if (open.length >= maxOpenRequests) {
        const approved = await Promise.all(
          open.map(async (r) => (await store.keyRecoveryShares(r.requestId)).length > 0),
        );
        const oldestUnapproved = open.find((_, i) => !approved[i]);
        if (!oldestUnapproved) {
          throw new ConflictError(
            `${maxOpenRequests} recovery requests for this patient are open and approved by guardians.`,
          );
        }
        await store.deleteKeyRecoveryRequest(oldestUnapproved.requestId);
      }
      if (await store.keyRecoveryRequest(body.requestId as Hex)) {
        throw new ConflictError('A recovery request with this id exists; choose another id.');
      }
      const row: KeyRecoveryRequestRow = {
        ...normalizeRecoveryRequest({
          requestId: body.requestId as Hex,
          patient,
          backupId: backup.backupId,
          recoveryKey: body.recoveryKey as Hex,
          createdAt: body.createdAt,
        }),
        expiresAt: now() + requestLifetimeSeconds,
        tokenHash: body.tokenHash.toLowerCase() as Hex,
      };
      await store.saveKeyRecoveryRequest(row);
      return reply.status(201).send({
        request: describeRequest(row),
        expiresAt: row.expiresAt,
        threshold: backup.threshold,
        guardianCount: backup.guardians.length,
      });
    },
  );

  app.get(
    '/api/key-recovery/requests',
    {
      preHandler: session,
      schema: {
        summary: 'Open recovery requests for the key backups the caller is a guardian of',
        tags: ['keys'],
        security,
      },
    },
    async (request) => {
      const caller = request.session.address;
      const requests = await store.openKeyRecoveryRequests({ guardian: caller }, now());
      return {
        requests: await Promise.all(
          requests.map(async (row) => ({
            request: describeRequest(row),
            expiresAt: row.expiresAt,
            approved: (await store.keyRecoveryShares(row.requestId)).some((s) =>
              isAddressEqual(s.guardian, caller),
            ),
          })),
        ),
      };
    },
  );

  app.get(
    '/api/key-recovery/requests/:id',
    {
      preHandler: session,
      schema: {
        summary: 'A recovery request with the backup it is for, for the backup’s guardians',
        tags: ['keys'],
        security,
        params: requestIdParams,
        response: { 200: created, 404: errorResponse, 409: errorResponse, 503: errorResponse },
      },
    },
    async (request) => {
      const caller = request.session.address;
      const { request: row, row: backupRow } = await openRequest(request.params.id);
      if (!backupRow.guardians.some((g) => isAddressEqual(g, caller))) {
        await audit(caller, row.patient, 'key-recovery-read', 'denied', 'not a guardian');
        throw new NotFoundError(`No open key recovery request ${request.params.id} that you guard.`);
      }
      return {
        request: describeRequest(row),
        expiresAt: row.expiresAt,
        backup: bytesToBase64url(utf8ToBytes(backupRow.backup)),
        committed: await commitment(row.patient),
        approvals: (await store.keyRecoveryShares(row.requestId)).map((s) => s.guardian),
      };
    },
  );

  app.post(
    '/api/key-recovery/requests/:id/approvals',
    {
      preHandler: session,
      schema: {
        summary: 'Approve a recovery request: a guardian’s share, sealed to the request’s recovery key',
        tags: ['keys'],
        security,
        params: requestIdParams,
        body: object(
          {
            share: { type: 'integer', minimum: 1, maximum: 255 },
            enc: { ...base64url, maxLength: 64 },
            ct: { ...base64url, maxLength: 128 },
          },
          ['share', 'enc', 'ct'],
        ),
        response: {
          201: created,
          403: errorResponse,
          404: errorResponse,
          409: errorResponse,
          503: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const caller = request.session.address;
      const { request: row, backup } = await openRequest(request.params.id);
      const entry = backup.guardians.find((g) => isAddressEqual(g.guardian, caller));
      if (!entry || entry.share !== request.body.share) {
        await audit(caller, row.patient, 'key-recovery-approve', 'denied', `request ${row.requestId}`);
        throw new AccessDeniedError(
          entry
            ? `Your share of this backup has index ${entry.share}.`
            : 'You are not a guardian of this key backup.',
        );
      }
      if (
        base64urlToBytes(request.body.enc).length !== 32 ||
        base64urlToBytes(request.body.ct).length !== 80
      ) {
        throw new InvalidInputError('A sealed share is 32 bytes of enc and 80 of ct.');
      }
      const saved = await store.saveKeyRecoveryShare({
        requestId: row.requestId,
        guardian: caller,
        share: entry.share,
        enc: request.body.enc,
        ct: request.body.ct,
        approvedAt: now(),
      });
      if (!saved) throw new ConflictError('You already approved this recovery request.');
      await audit(caller, row.patient, 'key-recovery-approve', 'allowed', `request ${row.requestId}`);
      return reply.status(201).send({
        requestId: row.requestId,
        approvals: (await store.keyRecoveryShares(row.requestId)).length,
        threshold: backup.threshold,
      });
    },
  );

  app.post(
    '/api/key-recovery/requests/:id/shares',
    {
      schema: {
        summary: 'The shares guardians sealed to a request’s recovery key, for the device holding its token',
        tags: ['keys'],
        params: requestIdParams,
        body: object({ token: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } }, ['token']),
        response: {
          200: created,
          403: errorResponse,
          404: errorResponse,
          409: errorResponse,
          503: errorResponse,
        },
      },
    },
    async (request) => {
      const { request: row, backup } = await openRequest(request.params.id);
      const presented = createHash('sha256').update(request.body.token).digest();
      if (!timingSafeEqual(presented, Buffer.from(row.tokenHash.slice(2), 'hex'))) {
        throw new AccessDeniedError('This is not the token of this recovery request.');
      }
      return {
        request: describeRequest(row),
        expiresAt: row.expiresAt,
        backup: {
          backupId: backup.backupId,
          patient: backup.patient,
          signer: backup.signer,
          encryptionKey: backup.encryptionKey,
          threshold: backup.threshold,
          guardianCount: backup.guardians.length,
        },
        shares: (await store.keyRecoveryShares(row.requestId)).map((s) => ({
          guardian: s.guardian,
          share: s.share,
          enc: s.enc,
          ct: s.ct,
        })),
      };
    },
  );
}

function describeRequest(row: KeyRecoveryRequestRow) {
  return {
    requestId: row.requestId,
    patient: row.patient,
    backupId: row.backupId,
    recoveryKey: row.recoveryKey,
    createdAt: row.createdAt,
  };
}
