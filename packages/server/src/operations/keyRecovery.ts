/**
 * Key recovery operations:
 *
 * - A device without the key asks for a recovery without signing in (it has no key to sign with):
 *   it names the patient, a random request id, its recovery public key and the SHA-256 of a secret
 *   token. Each request expires after 72 hours; few per patient stay open at once (see below).
 * - Guardians, signed in, read the request and the backup, check the backup against the chain and
 *   the request against the verification code the patient told them, and post their share sealed
 *   to the recovery key. Access control decides who reads and approves, and audits it.
 * - The device, with its token, fetches the shares; it needs k of them and checks what they rebuild.
 *
 * The gateway never sees a share in clear: every share it stores is sealed to a guardian or to a
 * recovery key.
 */
import type {
  ApproveKeyRecoveryBody,
  KeyRecoveryApproved,
  KeyRecoveryRequestForGuardian,
  KeyRecoveryShares,
  KeyRecoverySharesBody,
  KeyRecoveryStarted,
  PendingKeyRecoveries,
  RecoveryRequestView,
  StartKeyRecoveryBody,
} from '@medledger/api';
import {
  base64urlToBytes,
  bytesToBase64url,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  normalizeRecoveryRequest,
  utf8ToBytes,
} from '@medledger/core';
import { type Address, type Hex, isAddressEqual } from 'viem';
import type { Session } from '../auth.ts';
import type { GatewayServices } from '../gatewayServices.ts';
import type { KeyRecoveryRequestRow } from '../store/gatewayStore.ts';
import { currentKeyBackup, keyBackupCommitment, unixNow } from './keyBackups.ts';

/** How long a recovery request stays open. */
const requestLifetimeSeconds = 72 * 3600;
/**
 * Open requests one patient may have at a time. Anyone may ask, so a new request replaces the
 * oldest one no guardian has approved yet: a flood of requests cannot lock the patient out, only
 * push out requests nobody acted on.
 */
export const maxOpenRecoveryRequests = 10;
/** How far a request's creation time may be from the gateway's clock. */
const clockSkewSeconds = 600;

function describeRequest(row: KeyRecoveryRequestRow): RecoveryRequestView {
  return {
    requestId: row.requestId,
    patient: row.patient,
    backupId: row.backupId,
    recoveryKey: row.recoveryKey,
    createdAt: row.createdAt,
  };
}

/**
 * An open request and the current backup it is for: an unknown or expired one is `NotFoundError`
 * (reason `no_such_recovery_request`), one for a backup replaced since `ConflictError`
 * (`key_backup_replaced`).
 */
async function openRequest(services: GatewayServices, requestId: string) {
  const request = await services.store.keyRecoveryRequest(requestId as Hex);
  if (!request || request.expiresAt <= unixNow()) {
    throw new NotFoundError(`No open key recovery request ${requestId}.`, {
      reason: 'no_such_recovery_request',
    });
  }
  const { row, backup } = await currentKeyBackup(services, request.patient);
  if (row.backupId.toLowerCase() !== request.backupId.toLowerCase()) {
    throw new ConflictError('The patient made a new key backup since this request; ask again.', {
      reason: 'key_backup_replaced',
    });
  }
  return { request, row, backup, parties: { ...request, guardians: backup.guardians } };
}

/**
 * Opens a recovery request for the patient's current backup (no session: the device lost the key).
 * Refuses a creation time far from the gateway's clock (`clock_skew`), an id in use
 * (`recovery_request_exists`), and a patient whose open requests are all approved
 * (`too_many_recovery_requests`); otherwise it makes room by dropping the oldest unapproved one.
 */
export async function startKeyRecovery(
  services: GatewayServices,
  body: StartKeyRecoveryBody,
): Promise<KeyRecoveryStarted> {
  const { store } = services;
  const patient = body.patient.toLowerCase() as Address;
  const { backup } = await currentKeyBackup(services, patient);
  if (Math.abs(body.createdAt - unixNow()) > clockSkewSeconds) {
    throw new InvalidInputError('The request’s creation time is too far from this gateway’s clock.', {
      reason: 'clock_skew',
    });
  }
  const open = await store.openKeyRecoveryRequests({ patient }, unixNow());
  if (open.length >= maxOpenRecoveryRequests) {
    const approved = await Promise.all(
      open.map(async (r) => (await store.keyRecoveryShares(r.requestId)).length > 0),
    );
    const oldestUnapproved = open.find((_, i) => !approved[i]);
    if (!oldestUnapproved) {
      throw new ConflictError(
        `${maxOpenRecoveryRequests} recovery requests for this patient are open and approved by guardians.`,
        { reason: 'too_many_recovery_requests', fields: { maxOpenRequests: maxOpenRecoveryRequests } },
      );
    }
    await store.deleteKeyRecoveryRequest(oldestUnapproved.requestId);
  }
  if (await store.keyRecoveryRequest(body.requestId)) {
    throw new ConflictError('A recovery request with this id exists; choose another id.', {
      reason: 'recovery_request_exists',
    });
  }
  const row: KeyRecoveryRequestRow = {
    ...normalizeRecoveryRequest({
      requestId: body.requestId,
      patient,
      backupId: backup.backupId,
      recoveryKey: body.recoveryKey,
      createdAt: body.createdAt,
    }),
    expiresAt: unixNow() + requestLifetimeSeconds,
    tokenHash: body.tokenHash.toLowerCase() as Hex,
  };
  await store.saveKeyRecoveryRequest(row);
  return {
    request: describeRequest(row),
    expiresAt: row.expiresAt,
    threshold: backup.threshold,
    guardianCount: backup.guardians.length,
  };
}

/** Open recovery requests for the backups the caller is a guardian of, and whether it approved each. */
export async function pendingKeyRecoveries(
  services: GatewayServices,
  session: Session,
): Promise<PendingKeyRecoveries> {
  const { store } = services;
  const caller = session.address;
  const requests = await store.openKeyRecoveryRequests({ guardian: caller }, unixNow());
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
}

/**
 * A recovery request with the backup it is for and the chain's commitment, for the backup's
 * guardians (access control decides and audits a refusal: `NotFoundError`, `no_such_recovery_request`).
 */
export async function keyRecoveryRequest(
  services: GatewayServices,
  session: Session,
  requestId: string,
): Promise<KeyRecoveryRequestForGuardian> {
  const { request, row, parties } = await openRequest(services, requestId);
  await services.access.authoriseRecoveryRequestRead(session.address, parties);
  return {
    request: describeRequest(request),
    expiresAt: request.expiresAt,
    backup: bytesToBase64url(utf8ToBytes(row.backup)),
    committed: await keyBackupCommitment(services, request.patient),
    approvals: (await services.store.keyRecoveryShares(request.requestId)).map((s) => s.guardian),
  };
}

/**
 * A guardian approves a request with its share sealed to the request's recovery key. Access control
 * decides (`not_a_guardian`, `wrong_share_index`) and audits; a malformed sealed share is
 * `invalid_sealed_share`, a second approval `already_approved`.
 */
export async function approveKeyRecovery(
  services: GatewayServices,
  session: Session,
  requestId: string,
  body: ApproveKeyRecoveryBody,
): Promise<KeyRecoveryApproved> {
  const { request, backup, parties } = await openRequest(services, requestId);
  const entry = await services.access.authoriseRecoveryApproval(session.address, parties, body.share);
  if (base64urlToBytes(body.enc).length !== 32 || base64urlToBytes(body.ct).length !== 80) {
    throw new InvalidInputError('A sealed share is 32 bytes of enc and 80 of ct.', {
      reason: 'invalid_sealed_share',
    });
  }
  const saved = await services.store.saveKeyRecoveryShare({
    requestId: request.requestId,
    guardian: session.address,
    share: entry.share,
    enc: body.enc,
    ct: body.ct,
    approvedAt: unixNow(),
  });
  if (!saved) {
    throw new ConflictError('You already approved this recovery request.', { reason: 'already_approved' });
  }
  return {
    requestId: request.requestId,
    approvals: (await services.store.keyRecoveryShares(request.requestId)).length,
    threshold: backup.threshold,
  };
}

/**
 * The shares guardians sealed to a request's recovery key, for the device holding the request's
 * token (no session); access control checks the token (`wrong_recovery_token`) and audits.
 */
export async function keyRecoveryShares(
  services: GatewayServices,
  requestId: string,
  body: KeyRecoverySharesBody,
): Promise<KeyRecoveryShares> {
  const { request, backup, parties } = await openRequest(services, requestId);
  await services.access.authoriseRecoveryShares({ ...parties, tokenHash: request.tokenHash }, body.token);
  return {
    request: describeRequest(request),
    expiresAt: request.expiresAt,
    backup: {
      backupId: backup.backupId,
      patient: backup.patient,
      signer: backup.signer,
      encryptionKey: backup.encryptionKey,
      threshold: backup.threshold,
      guardianCount: backup.guardians.length,
    },
    shares: (await services.store.keyRecoveryShares(request.requestId)).map((s) => ({
      guardian: s.guardian,
      share: s.share,
      enc: s.enc,
      ct: s.ct,
    })),
  };
}
