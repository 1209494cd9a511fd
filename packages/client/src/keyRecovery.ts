/**
 * Recovering a patient's keys on a new device with k of its guardians (`core/src/keyBackup`):
 *
 * 1. the device starts a request (`startKeyRecovery`): a temporary recovery key pair, a random
 *    request id and a secret token; it shows the request's verification code;
 * 2. each guardian (`approveKeyRecovery`) checks the backup against the chain and the request
 *    against the code the patient told it out of band, then seals its share to the recovery key;
 * 3. the device (`finishKeyRecovery`) fetches the shares with its token, rebuilds the keys, checks
 *    them against the backup, and signs in with them to check the chain accepts them.
 *
 * The device has no key to sign in with: its requests go unauthenticated, and the token alone
 * (which never leaves it but as a hash) fetches the shares, which only its recovery key opens.
 */

import type {
  KeyRecoveryApproved,
  KeyRecoveryRequestForGuardian,
  KeyRecoveryShares,
  KeyRecoveryStarted,
  PendingKeyRecoveries,
} from '@medledger/api';
import {
  AccessDeniedError,
  base64urlToBytes,
  bytesToBase64url,
  bytesToHex,
  checkKeyBackupCommitment,
  digestOf,
  generateEncryptionKeyPair,
  generateIdentity,
  type Identity,
  IntegrityError,
  type KeyBackup,
  normalizeRecoveryRequest,
  type RecoveryRequest,
  randomBytes,
  recoverIdentity,
  recoveryRequestCode,
  resealGuardianShare,
  sameRecoveryCode,
  utf8ToBytes,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import { createGatewayClient, type GatewayClient } from './gatewayClient.ts';

/** What the new device keeps between starting a recovery and finishing it (secret: keep it 0600). */
export interface PendingKeyRecovery {
  server: string;
  request: RecoveryRequest;
  /** The code the patient tells each guardian. */
  code: string;
  /** The recovery key pair's secret key, which opens the guardians' shares. */
  recoverySecretKey: Hex;
  /** Fetches the shares; the gateway has only its SHA-256. */
  token: string;
  threshold: number;
  guardianCount: number;
  /** Unix seconds. */
  expiresAt: number;
}

/** A recovery request as a guardian sees it. */
export interface KeyRecoveryRequestDetails {
  request: RecoveryRequest;
  /** The code computed from the request as the gateway served it. */
  code: string;
  backup: KeyBackup;
  expiresAt: number;
  /** Guardians that already approved. */
  approvals: Address[];
}

/**
 * Asks, without a key, for the guardians' shares of `patient`'s backup.
 *
 * @example
 * const pending = await startKeyRecovery('https://ehr.hospital.example', patient);
 * console.log(`Tell your guardians: ${pending.request.requestId} ${pending.code}`);
 */
export async function startKeyRecovery(url: string, patient: Address): Promise<PendingKeyRecovery> {
  const recovery = generateEncryptionKeyPair();
  const token = bytesToBase64url(randomBytes(32));
  const asked = {
    requestId: bytesToHex(randomBytes(32)),
    patient: patient.toLowerCase() as Address,
    recoveryKey: recovery.publicKey,
    createdAt: Math.floor(Date.now() / 1000),
  };
  const answer = await anonymous(url).call<KeyRecoveryStarted>(
    'POST',
    '/api/key-recovery/requests',
    { ...asked, tokenHash: digestOf(utf8ToBytes(token)) },
    false,
  );
  const request = normalizeRecoveryRequest(answer.request);
  // The gateway adds the backup id and must change nothing else: the code covers all of it.
  if (
    request.requestId !== asked.requestId ||
    request.patient !== asked.patient ||
    request.recoveryKey !== asked.recoveryKey.toLowerCase() ||
    request.createdAt !== asked.createdAt
  ) {
    throw new IntegrityError('The gateway changed the recovery request.');
  }
  return {
    server: url,
    request,
    code: recoveryRequestCode(request),
    recoverySecretKey: recovery.secretKey,
    token,
    threshold: answer.threshold,
    guardianCount: answer.guardianCount,
    expiresAt: answer.expiresAt,
  };
}

/**
 * A recovery request and the backup it is for, as the gateway serves them to a guardian, with the
 * backup checked against its commitment on chain.
 *
 * @example
 * const { request, code } = await keyRecoveryRequest(guardian, requestId);
 */
export async function keyRecoveryRequest(
  client: GatewayClient,
  requestId: Hex,
): Promise<KeyRecoveryRequestDetails> {
  const answer = await client.call<KeyRecoveryRequestForGuardian>(
    'GET',
    `/api/key-recovery/requests/${requestId.toLowerCase()}`,
  );
  const request = normalizeRecoveryRequest(answer.request);
  const backup = checkKeyBackupCommitment(base64urlToBytes(answer.backup, 'backup'), answer.committed);
  if (
    request.requestId !== requestId.toLowerCase() ||
    request.backupId !== backup.backupId ||
    request.patient !== backup.patient
  ) {
    throw new IntegrityError('The gateway served another request or another backup than the one asked for.');
  }
  return {
    request,
    code: recoveryRequestCode(request),
    backup,
    expiresAt: answer.expiresAt,
    approvals: answer.approvals,
  };
}

/** Open requests for the backups the client is a guardian of. */
export async function pendingKeyRecoveries(
  client: GatewayClient,
): Promise<{ request: RecoveryRequest; expiresAt: number; approved: boolean }[]> {
  return (await client.call<PendingKeyRecoveries>('GET', '/api/key-recovery/requests')).requests;
}

/**
 * As a guardian: approves a recovery request, if `code` (told by the patient out of band) is the
 * code of the request the gateway serves: opens this guardian's share and seals it to the
 * request's recovery key. Throws `AccessDeniedError` when the code differs, and approves nothing.
 *
 * @example
 * await approveKeyRecovery(guardian, requestId, '7KQ2-M9XD-4RTA-WZ1E');
 */
export async function approveKeyRecovery(
  client: GatewayClient,
  requestId: Hex,
  code: string,
): Promise<{ details: KeyRecoveryRequestDetails; approvals: number; threshold: number }> {
  const details = await keyRecoveryRequest(client, requestId);
  if (!sameRecoveryCode(code, details.code)) {
    throw new AccessDeniedError(
      'The verification code does not match this recovery request: nothing approved.',
      {
        metaMessages: [
          'Someone other than the patient may have made this request, or the gateway changed it.',
          'Ask the patient, by a channel you trust, for the code their device shows.',
        ],
      },
    );
  }
  const share = await resealGuardianShare(
    details.backup,
    client.address,
    client.identity.encryption.secretKey,
    details.request,
  );
  const answer = await client.call<KeyRecoveryApproved>(
    'POST',
    `/api/key-recovery/requests/${details.request.requestId}/approvals`,
    { share: share.share, enc: bytesToBase64url(share.enc), ct: bytesToBase64url(share.ct) },
  );
  return { details, approvals: answer.approvals, threshold: answer.threshold };
}

/**
 * On the new device: rebuilds the patient's keys from the guardians' shares (k at least; else
 * `AccessDeniedError`), checks them against the backup (`IntegrityError`), and signs in with them.
 *
 * @example
 * const identity = await finishKeyRecovery(pending);
 */
export async function finishKeyRecovery(pending: PendingKeyRecovery): Promise<Identity> {
  const { request } = pending;
  const answer = await anonymous(pending.server).call<KeyRecoveryShares>(
    'POST',
    `/api/key-recovery/requests/${request.requestId}/shares`,
    { token: pending.token },
    false,
  );
  if (recoveryRequestCode(answer.request) !== pending.code) {
    throw new IntegrityError('The gateway served another recovery request than the one made.');
  }
  const identity = await recoverIdentity(
    request,
    answer.backup,
    answer.shares.map((s) => ({
      share: s.share,
      enc: base64urlToBytes(s.enc, 'enc'),
      ct: base64urlToBytes(s.ct, 'ct'),
    })),
    pending.recoverySecretKey,
  );
  // The chain must accept the key for the patient: a backup of a key rotated out would not sign in.
  await createGatewayClient({ url: pending.server, identity }).signIn();
  return identity;
}

/** A client for the calls made without a key (it never signs in). */
function anonymous(url: string): GatewayClient {
  return createGatewayClient({ url, identity: generateIdentity() });
}
