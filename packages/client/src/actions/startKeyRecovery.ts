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
 * The device has no key to sign in with: its requests go unauthenticated (to a gateway URL, not a
 * client), and the token alone (which never leaves it but as a hash) fetches the shares, which only
 * its recovery key opens.
 */

import type { KeyRecoveryStarted } from '@medledger/api';
import {
  bytesToBase64url,
  bytesToHex,
  digestOf,
  generateEncryptionKeyPair,
  IntegrityError,
  normalizeRecoveryRequest,
  type RecoveryRequest,
  randomBytes,
  recoveryRequestCode,
  utf8ToBytes,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import { requestGateway } from '../transport.ts';

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
  const answer = await requestGateway<KeyRecoveryStarted>(url, 'POST', '/api/key-recovery/requests', {
    body: { ...asked, tokenHash: digestOf(utf8ToBytes(token)) },
  });
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
