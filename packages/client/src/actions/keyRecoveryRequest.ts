import type { KeyRecoveryRequestForGuardian } from '@medledger/api';
import {
  base64urlToBytes,
  checkKeyBackupCommitment,
  IntegrityError,
  type KeyBackup,
  normalizeRecoveryRequest,
  type RecoveryRequest,
  recoveryRequestCode,
} from '@medledger/core';
import type { Address, Hex } from 'viem';
import type { Transport } from '../transport.ts';

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
 * A recovery request and the backup it is for, as the gateway serves them to a guardian, with the
 * backup checked against its commitment on chain.
 *
 * @example
 * const { request, code } = await keyRecoveryRequest(guardian, requestId);
 */
export async function keyRecoveryRequest(
  client: Transport,
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
